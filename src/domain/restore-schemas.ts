import { z } from 'zod';

/** Request bodies of the restore routes (API.md section 3, History, time travel, restore). */

export const restoreProfileBodySchema = z.strictObject({
  registry: z.string().optional(),
  to_version: z.unknown(),
  expected_version: z.unknown().optional(),
  dry_run: z.boolean().optional(),
});

export const restoreRegistryBodySchema = z.strictObject({
  to_version: z.unknown().optional(),
  as_of: z.unknown().optional(),
  expected_version: z.unknown().optional(),
  dry_run: z.boolean().optional(),
});
