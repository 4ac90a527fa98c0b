import { z } from 'zod';
import { expectedVersionField, versionInBody } from './expected-version-field.js';
import { parseAsOf, parseVersionNumber } from './past-point.js';
import { optionalRegistryField } from './slug-fields.js';

/** Request bodies of the restore routes (API.md section 3, History, time travel, restore). */

export const restoreProfileBodySchema = z.strictObject({
  registry: optionalRegistryField('the registry (wins over `?registry=`)'),
  to_version: z.unknown().transform((raw) => parseVersionNumber(raw, 'to_version')).meta(versionInBody(1, 'integer ≥ 1 (or its digits): the version to restore')),
  expected_version: expectedVersionField,
  dry_run: z.boolean().optional(),
});

export const restoreRegistryBodySchema = z.strictObject({
  to_version: z
    .unknown()
    .optional()
    .transform((raw) => (raw === undefined ? undefined : parseVersionNumber(raw, 'to_version')))
    .meta(versionInBody(1, 'integer ≥ 1 (or its digits): the registry version to go back to')),
  as_of: z
    .unknown()
    .optional()
    .transform((raw) => (raw === undefined ? undefined : parseAsOf(raw)))
    .meta({ type: ['string', 'integer'], description: 'or the time to go back to: RFC 3339 or epoch milliseconds' }),
  expected_version: expectedVersionField,
  dry_run: z.boolean().optional(),
});
