import type { FastifyReply, FastifyRequest } from 'fastify';
import { validationError } from '../domain/errors.js';
import type { ListPage, ListPageRequest, ListPosition } from '../projections/list-pages.js';
import { revealsSecrets } from './auth/access-control.js';

/**
 * `limit`, `cursor` and `q` of the profile and registry lists (API.md, Lists at scale). With any
 * of them the answer is a page, `{items, next_cursor}` (`next_cursor` null on the last page);
 * without them the list answers the bare array pinocchio's clients read, as it always did.
 */
export interface ListQuery {
  limit?: string;
  cursor?: string;
  q?: string;
}

export const MAX_LIST_PAGE = 1000;
const DEFAULT_LIST_PAGE = 100;
const MAX_SEARCH_LENGTH = 200;

export const wantsPage = (query: ListQuery): boolean => query.limit !== undefined || query.cursor !== undefined || query.q !== undefined;

/** The opaque cursor: the last entry's position (slug, registry), base64url-encoded JSON. */
export const encodeCursor = (position: ListPosition): string => Buffer.from(JSON.stringify([position.slug, position.registry])).toString('base64url');

const decodeCursor = (raw: string): ListPosition => {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { slug: value[0], registry: value[1] };
  } catch {
    // answered below
  }
  throw validationError('cursor', 'not a cursor of this list (use next_cursor of the previous page)');
};

export const pageRequestOf = (query: ListQuery): ListPageRequest => {
  let limit = DEFAULT_LIST_PAGE;
  if (query.limit !== undefined) {
    limit = /^\d+$/.test(query.limit.trim()) ? Number(query.limit.trim()) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) throw validationError('limit', `must be an integer from 1 to ${MAX_LIST_PAGE}`);
  }
  const request: ListPageRequest = { limit };
  if (query.cursor !== undefined) request.after = decodeCursor(query.cursor);
  if (query.q !== undefined) {
    if (query.q.length > MAX_SEARCH_LENGTH) throw validationError('q', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    const q = query.q.trim().toLowerCase();
    if (q !== '') request.q = q;
  }
  return request;
};

export const sendListPage = (request: FastifyRequest, reply: FastifyReply, page: ListPage) => {
  const items = revealsSecrets(request) ? page.revealed : page.body;
  const next = page.next === undefined ? 'null' : JSON.stringify(encodeCursor(page.next));
  return reply.type('application/json; charset=utf-8').send(`{"items":${items},"next_cursor":${next}}`);
};
