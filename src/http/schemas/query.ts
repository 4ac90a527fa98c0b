import { z } from 'zod';

/**
 * Query parameters are strings (a repeated one counts by its last value). What a parameter means
 * is checked where it is used (one parser per kind of value: versions, positions, times), so the
 * schemas here validate the shape and document the meaning.
 */
const text = (description: string, extra: Record<string, unknown> = {}) => z.string().optional().meta({ description, ...extra });

export const registryQuery = text('registry slug (the server\'s default registry when absent)');
export const revealQuery = text('`secrets`: show secret values instead of "***" (admin only, audited)', { enum: ['secrets'] });
export const expectedVersionQuery = text('integer ≥ 0; the version the change expects (absent or 0: no check)', { pattern: '^\\d+$' });
export const versionQuery = text('a past version (integer ≥ 1)', { pattern: '^\\d+$' });
export const asOfQuery = text('a past time: RFC 3339 or epoch milliseconds');
export const afterQuery = text('an event position (integer ≥ 0); only later events are returned', { pattern: '^\\d+$' });
export const limitQuery = text('page size, an integer from 1 to 1000', { pattern: '^\\d+$' });

export const registryQuerySchema = z.looseObject({ registry: registryQuery, reveal: revealQuery });
export const revealQuerySchema = z.looseObject({ reveal: revealQuery });
export const registryWriteQuerySchema = z.looseObject({ registry: registryQuery, expected_version: expectedVersionQuery, reveal: revealQuery });
export const pastPointQuerySchema = z.looseObject({ registry: registryQuery, version: versionQuery, as_of: asOfQuery, reveal: revealQuery });
export { text as queryText };
