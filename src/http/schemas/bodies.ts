import { z } from 'zod';
import { runtimeSchema } from '../../domain/profile-schemas.js';

/** Request bodies declared by the HTTP layer itself (the profile, registry and schema bodies live in domain/). */

const ignored = (description: string) => z.string().optional().meta({ description: `${description} (pinocchio's chat body; accepted, not used by a resolve)` });

export const resolveBodySchema = z.strictObject({
  profile: z.string().optional(),
  registry: z.string().optional(),
  overrides: runtimeSchema.optional().meta({ description: 'runtime fields to apply over the profile (as its policy allows)' }),
  request_overrides: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "pinocchio's name for `overrides`: keys compared as geppetto canonicalizes them (`systemPrompt` is `system_prompt`)" }),
  prompt: ignored('the chat prompt'),
  text: ignored('the chat text'),
  conv_id: ignored('the conversation id'),
  idempotency_key: ignored('the idempotency key'),
  runtime_key: z.string().optional().meta({ description: 'a legacy selector: refused with 400, as pinocchio refuses it' }),
  registry_slug: z.string().optional().meta({ description: 'a legacy selector: refused with 400, as pinocchio refuses it' }),
});
