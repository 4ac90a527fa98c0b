import { z } from 'zod';
import { profileSlugField, registrySlugField } from '../../domain/slug-fields.js';

/** Path parameters: the slug checks of the domain run as zod transforms (their refusals keep their problem types). */

export const profileSlug = profileSlugField();

export const registrySlug = registrySlugField();

export const profileParams = z.object({ slug: profileSlug });

export const registryParams = z.object({ registry: registrySlug });

/** A middleware name or an extension key; the kind's route checks it (400 naming the field). */
export const schemaNameParams = z.object({
  name: z.string().meta({ description: 'middleware name, or extension key `namespace.feature@vN`' }),
});

export const optionalProfileParams = z.object({ slug: profileSlug.optional() });
