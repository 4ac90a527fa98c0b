import { z } from 'zod';
import { requireProfileSlug, requireRegistrySlug } from '../../domain/slug.js';

/** Path parameters: the slug checks of the domain run as zod transforms (their refusals keep their problem types). */

const SLUG_RULE = 'trimmed and lower-cased, then ^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$';

export const profileSlug = z
  .string()
  .transform((raw) => requireProfileSlug(raw))
  .meta({ description: `profile slug: ${SLUG_RULE}` });

export const registrySlug = z
  .string()
  .transform((raw) => requireRegistrySlug(raw))
  .meta({ description: `registry slug: ${SLUG_RULE}` });

export const profileParams = z.object({ slug: profileSlug });

export const registryParams = z.object({ registry: registrySlug });

/** A middleware name or an extension key; the kind's route checks it (400 naming the field). */
export const schemaNameParams = z.object({
  name: z.string().meta({ description: 'middleware name, or extension key `namespace.feature@vN`' }),
});

export const optionalProfileParams = z.object({ slug: profileSlug.optional() });
