import type { z } from 'zod';
import type { DescribedResponse } from '../route-schema.js';

/** Success answers as routes declare them: a JSON body with its headers, or no body. */

type Headers = DescribedResponse['headers'];

const header = (description: string) => ({ type: 'string', description });

export const ETAG = { etag: header('strong ETag of what was answered (send it as If-Match / If-None-Match)') };
export const LOCATION = { location: header('where the created resource is read') };
export const IDEMPOTENT_REPLAYED = { 'idempotent-replayed': header('`true` when the answer repeats an earlier one of the same Idempotency-Key') };

export const jsonAnswer = (schema: z.ZodType, description: string, headers?: Headers): DescribedResponse => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

export const noContent = (description: string): DescribedResponse => ({ description });

export const NOT_MODIFIED = noContent('If-None-Match names the current ETag');
