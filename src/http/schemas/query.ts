import { z } from 'zod';

/**
 * Query parameters are strings (a repeated one counts by its last value). What a parameter means
 * is checked where it is used (one parser per kind of value: versions, positions, times), so the
 * schemas here validate the shape and document the meaning.
 */
export const queryText = (description: string, extra: Record<string, unknown> = {}) => z.string().optional().meta({ description, ...extra });

export const registryQuery = queryText("registry slug (the server's default registry when absent)");
export const revealQuery = queryText('`secrets`: show secret values instead of "***" (admin only, audited)', { enum: ['secrets'] });
export const expectedVersionQuery = queryText('integer ≥ 0; the version the change expects (absent or 0: no check)', { pattern: '^\\d+$' });
export const versionQuery = queryText('a past version (integer ≥ 1)', { pattern: '^\\d+$' });
export const asOfQuery = queryText('a past time: RFC 3339 or epoch milliseconds');
export const afterQuery = queryText('an event position (integer ≥ 0); only later events are returned', { pattern: '^\\d+$' });
export const requireSignedQuery = queryText('`true`: answer 403 unless the profile (every layer of its stack) carries a valid signature', {
  enum: ['true', 'false', '1', '0'],
});
/** `limit`, `cursor` and `q` of the profile and registry lists; any of them asks for a page. */
export const listPageQuery = {
  limit: queryText('page size, an integer from 1 to 1000 (100 when only `cursor` or `q` is given); asks for a page `{items, next_cursor}`', { pattern: '^\\d+$' }),
  cursor: queryText('`next_cursor` of the previous page (opaque)'),
  q: queryText('case-insensitive substring of the slug, display name, description, a tag or the model (`ai-engine`)'),
};
export const limitQuery = queryText('page size, an integer from 1 to 1000', { pattern: '^\\d+$' });

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
