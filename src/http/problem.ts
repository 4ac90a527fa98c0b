import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type AffectedProfileError, type DomainErrorCode, type FieldError } from '../domain/errors.js';
import { isDatabaseUnavailable } from '../events/database-unavailable.js';
import { StreamVersionConflict } from '../events/stream-version-conflict.js';
import { scopedError } from './auth/scope.js';

/** RFC 9457 problem details; every error of the API leaves through `sendProblem`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  current_version?: number;
  /** The stored profiles a refused schema change would break. */
  profiles?: AffectedProfileError[];
  /** feed-reset: the store identity and the position to follow from. */
  identity?: string;
  head?: number;
}

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation: 400,
  invalid_slug: 400,
  invalid_registry: 400,
  invalid_expected_version: 400,
  not_found: 404,
  already_exists: 409,
  version_conflict: 409,
  precondition_failed: 412,
  policy_violation: 403,
  default_profile_in_use: 409,
  profile_in_use: 409,
  schema_in_use: 409,
  idempotency_conflict: 422,
  read_only: 503,
  signature_required: 403,
  forbidden: 403,
  integrity: 500,
  signing_unavailable: 503,
  secret_reentry: 422,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const problemType = (slug: string): string => `https://profile-registry.dev/problems/${slug}`;

export const problem = (status: number, slug: string, detail: string): Problem => ({
  type: problemType(slug),
  title: TITLES[status] ?? 'Error',
  status,
  detail,
});

const FASTIFY_DETAILS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'request body is larger than the limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'request body must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'malformed-request', 'invalid content-length'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'malformed JSON body: empty body'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri-too-long', 'a path segment is longer than the limit'],
  FST_ERR_BAD_URL: [400, 'malformed-request', 'malformed URL'],
};

export const toProblem = (error: unknown): Problem => {
  if (isDomainError(error)) {
    const body = problem(STATUS_BY_CODE[error.code], error.code.replace(/_/g, '-'), error.message);
    if (error.errors) body.errors = error.errors;
    if (error.currentVersion !== undefined) body.current_version = error.currentVersion;
    if (error.profiles) body.profiles = error.profiles;
    return body;
  }
  if (error instanceof StreamVersionConflict) {
    return { ...problem(409, 'version-conflict', error.message), current_version: error.actualVersion };
  }
  if (isDatabaseUnavailable(error)) return problem(503, 'database-unavailable', 'the database is unavailable; retry later');
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code ? FASTIFY_DETAILS[fastifyError.code] : undefined;
  if (known) return problem(known[0], known[1], known[2]);
  if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return problem(400, 'malformed-json', `malformed JSON body: ${(error as Error).message}`);
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(status, 'bad-request', fastifyError.message ?? 'bad request');
  }
  return problem(500, 'internal', 'internal error');
};

export const sendProblem = (reply: FastifyReply, body: Problem): FastifyReply =>
  reply.status(body.status).type('application/problem+json').send(JSON.stringify(body));

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 2;

export const problemErrorHandler = (raised: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  // a refusal names only what the caller may see, in the answer and in the log line alike
  const error = scopedError(request, raised);
  const body = toProblem(error);
  if (isDatabaseUnavailable(error)) {
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    request.log.warn({ detail: (error as Error).message }, 'database unavailable');
  } else if (body.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status: body.status, detail: body.detail }, 'request refused');
  return sendProblem(reply, body);
};
