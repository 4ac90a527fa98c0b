import { invalidProfileSlug, invalidRegistrySlug } from './errors.js';

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
const EXTENSION_KEY_PATTERN =
  /^([a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?)\.([a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?)@v([1-9][0-9]{0,4})$/;

export const normalizeSlug = (raw: string): string => raw.trim().toLowerCase();

/** The normalized slug, or undefined when it is not a valid slug. */
export const parseSlug = (raw: unknown): string | undefined => {
  if (typeof raw !== 'string') return undefined;
  const slug = normalizeSlug(raw);
  return SLUG_PATTERN.test(slug) ? slug : undefined;
};

export const requireProfileSlug = (raw: unknown): string => {
  const slug = parseSlug(raw);
  if (slug === undefined) throw invalidProfileSlug();
  return slug;
};

export const requireRegistrySlug = (raw: unknown): string => {
  const slug = parseSlug(raw);
  if (slug === undefined) throw invalidRegistrySlug();
  return slug;
};

export const parseExtensionKey = (raw: string): string | undefined => {
  const key = raw.trim().toLowerCase();
  return EXTENSION_KEY_PATTERN.test(key) ? key : undefined;
};
