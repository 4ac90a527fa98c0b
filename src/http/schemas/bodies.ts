import { z } from 'zod';
import { runtimeSchema } from '../../domain/profile-schemas.js';

/** Request bodies declared by the HTTP layer itself (the profile, registry and schema bodies live in domain/). */

export const resolveBodySchema = z.strictObject({
  profile: z.string().optional(),
  registry: z.string().optional(),
  overrides: runtimeSchema.optional().meta({ description: 'runtime fields to apply over the profile (as its policy allows)' }),
});
