import { validationError } from '../domain/errors.js';
import type { ListPosition } from '../projections/list-pages.js';

/** The opaque cursor of the profile and registry lists: the last entry's position (slug, registry), base64url-encoded JSON. */
export const encodeCursor = (position: ListPosition): string => Buffer.from(JSON.stringify([position.slug, position.registry])).toString('base64url');

/** `?cursor=` as the list's schema parses it: a cursor this list gave, else 400 naming `cursor`. */
export const decodeCursor = (raw: string): ListPosition => {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { slug: value[0], registry: value[1] };
  } catch {
    // answered below
  }
  throw validationError('cursor', 'not a cursor of this list (use next_cursor of the previous page)');
};
