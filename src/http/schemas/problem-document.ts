import { z } from 'zod';

/** RFC 9457 problem details, as every error of the API is answered (src/http/problem.ts). */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'https://profile-registry.dev/problems/<slug>' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    current_version: z.number().int().optional(),
    profiles: z.array(z.looseObject({})).optional().meta({ description: 'stored profiles a refused schema change would break' }),
    identity: z.string().optional().meta({ description: 'feed-reset: the identity of the store the feed now follows' }),
    head: z.number().int().optional().meta({ description: 'feed-reset: the position to follow from (the newest event)' }),
  })
  .meta({ description: 'RFC 9457 problem details' });
