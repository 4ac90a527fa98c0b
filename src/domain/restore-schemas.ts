import { z } from 'zod';
import { expectedVersionField } from './expected-version-field.js';

/** Request bodies of the restore routes (API.md section 3, History, time travel, restore). */

export const restoreProfileBodySchema = z.strictObject({
  registry: z.string().optional(),
  to_version: z.unknown().meta({ type: 'integer', minimum: 1, description: 'the version to restore' }),
  expected_version: expectedVersionField,
  dry_run: z.boolean().optional(),
});

export const restoreRegistryBodySchema = z.strictObject({
  to_version: z.unknown().optional().meta({ type: 'integer', minimum: 1, description: 'the registry version to go back to' }),
  as_of: z.unknown().optional().meta({ description: 'or the time to go back to: RFC 3339 or epoch milliseconds' }),
  expected_version: expectedVersionField,
  dry_run: z.boolean().optional(),
});
