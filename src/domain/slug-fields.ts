import { z } from 'zod';
import { invalidProfileSlug, invalidRegistrySlug } from './errors.js';
import { requireProfileSlug, requireRegistrySlug } from './slug.js';

/**
 * Slugs as request fields (path, query, body): the JSON Schema pattern is what is accepted as sent
 * (surrounding whitespace and upper case allowed), and the value handed on is the slug trimmed and
 * lower-cased. A refusal keeps the problem type of its kind (`invalid-slug`, `invalid-registry`).
 */
export const SLUG_INPUT_PATTERN = '^\\s*[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?\\s*$';
const slugInput = new RegExp(SLUG_INPUT_PATTERN);
const SLUG_RULE = 'trimmed and lower-cased, then ^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$';

export const profileSlugOf = (raw: string): string => {
  if (!slugInput.test(raw)) throw invalidProfileSlug();
  return requireProfileSlug(raw);
};

export const registrySlugOf = (raw: string): string => {
  if (!slugInput.test(raw)) throw invalidRegistrySlug();
  return requireRegistrySlug(raw);
};

export const profileSlugField = (description = 'profile slug') =>
  z.string().transform(profileSlugOf).meta({ description: `${description}: ${SLUG_RULE}`, pattern: SLUG_INPUT_PATTERN });

export const registrySlugField = (description = 'registry slug') =>
  z.string().transform(registrySlugOf).meta({ description: `${description}: ${SLUG_RULE}`, pattern: SLUG_INPUT_PATTERN });

/** A registry a request may name (a body field or `?registry=`): absent or empty is undefined. */
export const optionalRegistryField = (description: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? undefined : registrySlugOf(raw)))
    .meta({ description: `${description}: ${SLUG_RULE} (empty: not named)`, pattern: `(?:${SLUG_INPUT_PATTERN})|^$` });

/** A profile a request may name besides the path: absent or empty is undefined. */
export const optionalProfileField = (description: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? undefined : profileSlugOf(raw)))
    .meta({ description: `${description}: ${SLUG_RULE} (empty: not named)`, pattern: `(?:${SLUG_INPUT_PATTERN})|^$` });
