import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import { parseAsOf, parseVersionNumber } from '../../domain/past-point.js';
import { parseExpectedVersion } from '../request-input.js';
import { parseBoundedInt } from '../query-values.js';

/**
 * Query parameters, parsed once: each schema takes the string (a repeated parameter counts by its
 * last value), checks it with the one parser of its kind (versions, positions, limits, times,
 * flags), and hands the handler a typed value; a refusal is the DomainError of that parser (its
 * problem type and `detail` as they always were). The `pattern`/`enum` in the metadata is what
 * /openapi.json shows of the rule.
 */
export const queryText = (description: string, extra: Record<string, unknown> = {}) => z.string().optional().meta({ description, ...extra });

/** A parameter parsed by `parse` when present (`parse` decides what an empty value means). */
const parsedQuery = <T>(description: string, parse: (raw: string) => T, extra: Record<string, unknown> = {}) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined ? undefined : parse(raw)))
    .meta({ description, ...extra });

/** A parameter the route needs: `parse` refuses it when absent too. */
const neededQuery = <T>(description: string, parse: (raw: string | undefined) => T, extra: Record<string, unknown> = {}) =>
  z
    .string()
    .optional()
    .transform((raw) => parse(raw))
    .meta({ description, ...extra });

/** `true`/`false` (and, where `alsoDigits`, 1/0); empty: undefined where `emptyAllowed`. */
const flag = (field: string, alsoDigits: boolean, emptyAllowed: boolean) => (raw: string): boolean | undefined => {
  if (raw === '' && emptyAllowed) return undefined;
  if (raw === 'true' || (alsoDigits && raw === '1')) return true;
  if (raw === 'false' || (alsoDigits && raw === '0')) return false;
  throw validationError(field, 'must be true or false');
};

export const registryQuery = queryText("registry slug (the server's default registry when absent)");
export const revealQuery = parsedQuery(
  '`secrets`: show secret values instead of "***" (admin only, audited)',
  (raw) => {
    if (raw === '') return undefined;
    if (raw !== 'secrets') throw validationError('reveal', 'must be secrets');
    return 'secrets' as const;
  },
  { enum: ['secrets'] },
);
export const expectedVersionQuery = parsedQuery('integer ≥ 0; the version the change expects (absent or 0: no check)', parseExpectedVersion, {
  pattern: '^\\d+$',
});
/** A version number (integer ≥ 1) named `field` in refusals. */
export const versionNumberQuery = (description: string, field: string) =>
  parsedQuery(description, (raw) => parseVersionNumber(raw, field), { pattern: '^\\d+$' });
export const versionQuery = versionNumberQuery('a past version (integer ≥ 1)', 'version');
/** A version number the route needs (a diff's `from` and `to`). */
export const neededVersionQuery = (description: string, field: string) =>
  neededQuery(description, (raw) => parseVersionNumber(raw, field), { pattern: '^\\d+$' });
export const asOfQuery = parsedQuery('a past time: RFC 3339 or epoch milliseconds', (raw) => parseAsOf(raw));
/** An event position to page from (the events route): absent or empty is 0. */
export const afterQuery = parsedQuery(
  'an event position (integer ≥ 0); only later events are returned',
  (raw) => parseBoundedInt(raw, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  { pattern: '^\\d+$' },
);
export const MAX_PAGE = 1000;
export const limitQuery = parsedQuery(`page size, an integer from 1 to ${MAX_PAGE}`, (raw) => parseBoundedInt(raw, 'limit', 1, MAX_PAGE), {
  pattern: '^\\d+$',
});
export const requireSignedQuery = parsedQuery(
  '`true`: answer 403 unless the profile (every layer of its stack) carries a valid signature',
  flag('require_signed', true, true),
  { enum: ['true', 'false', '1', '0'] },
);
export const forceQuery = (description: string) => parsedQuery(description, flag('force', false, false), { enum: ['true', 'false'] });
/** `limit`, `cursor` and `q` of the profile and registry lists; any of them asks for a page. */
export const listPageQuery = {
  limit: queryText('page size, an integer from 1 to 1000 (100 when only `cursor` or `q` is given); asks for a page `{items, next_cursor}`', { pattern: '^\\d+$' }),
  cursor: queryText('`next_cursor` of the previous page (opaque)'),
  q: queryText('case-insensitive substring of the slug, display name, description, a tag or the model (`ai-engine`)'),
};

/** A route that names a registry. */
export const registryQuerySchema = z.looseObject({ registry: registryQuery });
/** A route that answers secrets (as "***" unless revealed). */
export const revealQuerySchema = z.looseObject({ reveal: revealQuery });
/** A route of a registry's profile that answers a document. */
export const documentQuerySchema = registryQuerySchema.extend({ reveal: revealQuery });
/** A read now or in the past. */
export const pastPointQuerySchema = documentQuerySchema.extend({ version: versionQuery, as_of: asOfQuery });
/** A delete of a registry's profile. */
export const deleteQuerySchema = registryQuerySchema.extend({ expected_version: expectedVersionQuery });
