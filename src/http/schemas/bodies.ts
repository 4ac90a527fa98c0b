import { z } from 'zod';
import { unsupportedLegacySelector } from '../../domain/errors.js';
import { runtimeSchema } from '../../domain/profile-schemas.js';
import { optionalProfileField } from '../../domain/slug-fields.js';
import { registryOrDefaultQuery } from './query.js';

/** Request bodies declared by the HTTP layer itself (the profile, registry and schema bodies live in domain/). */

const ignored = (description: string) => z.string().optional().meta({ description: `${description} (pinocchio's chat body; accepted, not used by a resolve)` });

/** pinocchio's retired selectors: a value other than blank is refused with 400, as pinocchio refuses it. */
const legacySelector = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw) => {
      if ((raw ?? '').trim() !== '') throw unsupportedLegacySelector(name);
      return undefined;
    })
    .meta({ description: 'a legacy selector: refused with 400 unless blank, as pinocchio refuses it', pattern: '^\\s*$' });

export const resolveBodySchema = z.strictObject({
  runtime_key: legacySelector('runtime_key'),
  registry_slug: legacySelector('registry_slug'),
  profile: optionalProfileField('the profile to resolve (after the path slug)'),
  registry: registryOrDefaultQuery('the registry (wins over `?registry=`)'),
  overrides: runtimeSchema.optional().meta({ description: 'runtime fields to apply over the profile (as its policy allows)' }),
  request_overrides: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "pinocchio's name for `overrides`: keys compared as geppetto canonicalizes them (`systemPrompt` is `system_prompt`)" }),
  prompt: ignored('the chat prompt'),
  text: ignored('the chat text'),
  conv_id: ignored('the conversation id'),
  idempotency_key: ignored('the idempotency key'),
});
