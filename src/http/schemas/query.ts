import { z } from 'zod';
import { validationError, unsupportedLegacySelector } from '../../domain/errors.js';
import { parseExpectedVersion } from '../../domain/expected-version-field.js';
import { parseAsOf, parseVersionNumber } from '../../domain/past-point.js';
import { optionalProfileField, optionalRegistryField, registrySlugOf, SLUG_INPUT_PATTERN } from '../../domain/slug-fields.js';
import type { ListPosition } from '../../projections/list-pages.js';
import { parseContains } from '../contains-query.js';
import { decodeCursor } from '../list-cursor.js';
import { parseBoundedInt } from '../query-values.js';
import { DEFAULT_REGISTRY } from '../../events/registry-state.js';

/**
 * Query parameters, parsed once: each schema takes the string (a repeated parameter counts by its
 * last value), checks it with the one parser of its kind (versions, positions, limits, times,
 * flags, slugs, cursors), and hands the handler a typed value; a refusal is the DomainError of
 * that parser (its problem type and `detail` as they always were). The JSON Schema in the
 * metadata (`type`/`minimum`/`maximum`, `pattern`, `enum`, `maxLength`) is what /openapi.json
 * shows of the rule (surrounding spaces are ignored, and where a description says so an empty
 * value counts as absent); test/http/openapi-parameters.test.ts sends a value outside each.
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

/** How an integer parameter is shown: its bounds (digits only, surrounding spaces ignored). */
const integer = (minimum: number, maximum?: number) => ({ type: 'integer', minimum, ...(maximum === undefined ? {} : { maximum }) });

/** `true`/`false` (and, where `alsoDigits`, 1/0); empty: undefined where `emptyAllowed`. */
const flag = (field: string, alsoDigits: boolean, emptyAllowed: boolean) => (raw: string): boolean | undefined => {
  if (raw === '' && emptyAllowed) return undefined;
  if (raw === 'true' || (alsoDigits && raw === '1')) return true;
  if (raw === 'false' || (alsoDigits && raw === '0')) return false;
  throw validationError(field, 'must be true or false');
};

/** `?registry=`: a registry slug, trimmed and lower-cased (absent or empty: not named). */
export const registryQuery = optionalRegistryField("registry slug (the server's default registry when absent)");
/**
 * `?registry=` where an empty value names the default registry (resolve, where naming a registry
 * overrides the cookie's; the change feed's filter), as it always did there.
 */
export const registryOrDefaultQuery = (description: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === '' ? DEFAULT_REGISTRY : raw === undefined ? undefined : registrySlugOf(raw)))
    .meta({ description: `${description}; empty: the default registry`, pattern: `(?:${SLUG_INPUT_PATTERN})|^$` });
/** A profile named in the query (resolve's `?profile=` and `?runtime=`). */
export const profileQuery = (description: string) => optionalProfileField(description);
/**
 * pinocchio's retired selectors (`?registry_slug=`, `?runtime_key=`): any value, even empty, is
 * refused with 400 `unsupported legacy selector: <name>`, as pinocchio refuses them.
 */
export const legacySelectorQuery = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw) => {
      if (raw !== undefined) throw unsupportedLegacySelector(name);
      return undefined;
    })
    .meta({ description: 'a legacy selector: refused with 400, as pinocchio refuses it', not: {} });
export const revealQuery = parsedQuery(
  '`secrets`: show secret values instead of "***" (admin only, audited)',
  (raw) => {
    if (raw === '') return undefined;
    if (raw !== 'secrets') throw validationError('reveal', 'must be secrets');
    return 'secrets' as const;
  },
  { enum: ['secrets', ''] },
);
export const expectedVersionQuery = parsedQuery(
  'integer ≥ 0; the version the change expects (absent, empty or 0: no check)',
  parseExpectedVersion,
  integer(0, Number.MAX_SAFE_INTEGER),
);
/** A version number (integer ≥ 1) named `field` in refusals. */
export const versionNumberQuery = (description: string, field: string) =>
  parsedQuery(description, (raw) => parseVersionNumber(raw, field), integer(1, Number.MAX_SAFE_INTEGER));
export const versionQuery = versionNumberQuery('a past version (integer ≥ 1)', 'version');
/** A version number the route needs (a diff's `from` and `to`). */
export const neededVersionQuery = (description: string, field: string) =>
  neededQuery(description, (raw) => parseVersionNumber(raw, field), integer(1, Number.MAX_SAFE_INTEGER));
const TIME = '(\\d+|\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2}))';
/** A time of the history filters: RFC 3339 or epoch milliseconds (empty: not given), as epoch milliseconds. */
export const timeQuery = (description: string, field: string) =>
  parsedQuery(description, (raw) => (raw === '' ? undefined : parseAsOf(raw, field)), { pattern: `^(?:\\s*${TIME}\\s*)?$` });
/** `as_of`: a past time, RFC 3339 or epoch milliseconds (an empty value is refused). */
export const asOfQuery = parsedQuery('a past time: RFC 3339 or epoch milliseconds', (raw) => parseAsOf(raw, 'as_of'), { pattern: `^\\s*${TIME}\\s*$` });
/** An event position to page from (the events route): absent or empty is 0. */
export const afterQuery = parsedQuery(
  'an event position (integer ≥ 0); only later events are returned',
  (raw) => parseBoundedInt(raw, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  integer(0, Number.MAX_SAFE_INTEGER),
);
export const MAX_PAGE = 1000;
export const limitQuery = parsedQuery(`page size, an integer from 1 to ${MAX_PAGE}`, (raw) => parseBoundedInt(raw, 'limit', 1, MAX_PAGE), integer(1, MAX_PAGE));
export const requireSignedQuery = parsedQuery(
  '`true`: answer 403 unless the profile (every layer of its stack) carries a valid signature',
  flag('require_signed', true, true),
  { enum: ['true', 'false', '1', '0', ''] },
);
/** `?data=false`: events without their `data` (what a timeline shows: who, what, when). */
export const eventDataQuery = parsedQuery(
  "`false`: each event without its `data` (the timeline's fields only, a fraction of the bytes); `true` (default): with it",
  flag('data', false, false),
  { enum: ['true', 'false'] },
);
export const forceQuery = (description: string) => parsedQuery(description, flag('force', false, false), { enum: ['true', 'false'] });

const MAX_SEARCH_LENGTH = 200;
/** A list page's size: unlike `limit` of the histories, an empty value is refused (it asks for a page). */
const listLimit = (raw: string): number => {
  const limit = parseBoundedInt(raw, 'limit', 1, MAX_PAGE);
  if (limit === undefined) throw validationError('limit', `must be an integer from 1 to ${MAX_PAGE}`);
  return limit;
};
/** `limit`, `cursor` and `q` of the profile and registry lists; any of them asks for a page. */
export const listPageQuery = {
  limit: parsedQuery(
    `page size, an integer from 1 to ${MAX_PAGE} (100 when only \`cursor\` or \`q\` is given); asks for a page \`{items, next_cursor}\``,
    listLimit,
    integer(1, MAX_PAGE),
  ),
  cursor: parsedQuery<ListPosition>('`next_cursor` of the previous page (opaque, base64url)', decodeCursor, { pattern: '^[A-Za-z0-9_-]+$' }),
  q: parsedQuery(
    'case-insensitive substring of the slug, display name, description, a tag or the model (`ai-engine`)',
    (raw) => {
      if (raw.length > MAX_SEARCH_LENGTH) throw validationError('q', `must be at most ${MAX_SEARCH_LENGTH} characters`);
      return raw.trim().toLowerCase();
    },
    { maxLength: MAX_SEARCH_LENGTH },
  ),
};

/** `?contains=<JSON>` of the profile list: `{value}` (undefined when absent). */
export const containsQuery = parsedQuery('JSON: only profiles whose document contains it (PostgreSQL `@>` semantics)', parseContains, {
  contentMediaType: 'application/json',
});

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
