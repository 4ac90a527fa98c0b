import { z } from 'zod';
import type { DescribedResponse } from '../route-schema.js';

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

/** The problem types each status can carry (the last part of `type`). */
const TYPES: Record<number, string[]> = {
  400: ['validation', 'invalid-slug', 'invalid-registry', 'invalid-expected-version', 'malformed-json', 'malformed-request', 'bad-request'],
  401: ['unauthorized'],
  403: ['forbidden', 'policy-violation', 'signature-required'],
  404: ['not-found'],
  409: ['already-exists', 'version-conflict', 'default-profile-in-use', 'profile-in-use', 'schema-in-use'],
  410: ['feed-reset'],
  412: ['precondition-failed'],
  413: ['body-too-large'],
  415: ['unsupported-media-type'],
  422: ['idempotency-conflict', 'secret-reentry'],
  429: ['too-many-watchers'],
  500: ['internal', 'integrity'],
  503: ['database-unavailable', 'read-only', 'signing-unavailable', 'not-ready'],
};

const WHEN: Record<number, string> = {
  400: 'bad input',
  401: 'no or a wrong bearer token (auth on)',
  403: 'the role is too low, or a policy refuses',
  404: 'unknown registry, profile, schema or route',
  409: 'conflict with the stored state',
  410: 'the position to resume from belongs to another store identity or lies beyond the newest event: start over from `head`',
  412: 'stale If-Match',
  413: 'body over the limit',
  414: 'a path segment over the limit',
  415: 'body not application/json',
  422: 'Idempotency-Key reused with another request, or a secret sent as "***" that must be re-entered',
  429: 'too many open change-feed connections',
  500: 'internal error',
  503: 'database unavailable or read-only',
};

export const problemResponse = (status: number): DescribedResponse => ({
  description: `${WHEN[status] ?? 'error'}; problem types: ${(TYPES[status] ?? ['error']).join(', ')}`,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Every route can answer these: bad input or URL, no token, a low role, an unknown route, the database down. */
const EVERY_ROUTE = [400, 401, 403, 404, 500, 503];
/** And every route with a JSON body these. */
const WITH_BODY = [413, 415];

/** The problem responses of a route: the common ones and those it names. */
export const problemResponses = (options: { body?: boolean; also?: number[] } = {}): Record<number, DescribedResponse> => {
  const statuses = new Set([...EVERY_ROUTE, ...(options.body ? WITH_BODY : []), ...(options.also ?? [])]);
  return Object.fromEntries([...statuses].sort((a, b) => a - b).map((status) => [status, problemResponse(status)]));
};
