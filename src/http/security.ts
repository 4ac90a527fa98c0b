import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerAccessControl } from './auth/access-control.js';
import { openTokensFile, type TokensFile } from './auth/tokens-file.js';
import { problemClientErrorHandler } from './client-errors.js';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from './idempotent-write.js';
import { problem, sendProblem } from './problem.js';

/** Who may call, and the limits that keep hostile clients out (API.md section 5, docs/SECURITY.md). */
export interface SecurityOptions {
  /** Bearer tokens; without it every request is let in (the server then listens on loopback only, see serve). */
  authTokensFile?: string;
  /** /metrics, /openapi.json and /docs without a token (they need a reader token otherwise). */
  publicDocsAndMetrics?: boolean;
  /** Origins allowed by CORS; CORS is off without them. */
  corsOrigins?: string[];
  /** A request must be received whole within this time (30 s); slower clients get 408 and are cut off. */
  requestTimeoutMs?: number;
  /** How long an Idempotency-Key is remembered (24 h). */
  idempotencyTtlMs?: number;
  /** Open change-feed connections per token (per client address without auth); 429 past it. */
  maxWatchersPerClient?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Reads the tokens file again (SIGHUP); a no-op without auth. */
    reloadAuthTokens(): void;
    idempotencyTtlMs: number;
  }
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What a page of a configured origin may send: every method and request header of the API. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'last-event-id',
  'x-actor',
  'x-request-id',
];

/** Server options: HTTP parser errors and timeouts as problem+json, slow clients cut off. */
export const securityServerOptions = (options: SecurityOptions) => {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    clientErrorHandler: problemClientErrorHandler,
    requestTimeout,
    http: {
      // timeouts are checked this often (Node's default, 30 s, would let a slow client stay that much longer)
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
      headersTimeout: Math.min(10_000, requestTimeout),
      // a request without Host is answered by the hook below, as problem+json
      requireHostHeader: false,
    },
  };
};

/** Tokens, the access hook, CORS, and the settings routes read; registered before any route. */
export const registerSecurity = async (app: FastifyInstance, options: SecurityOptions): Promise<void> => {
  let tokens: TokensFile | undefined;
  if (options.authTokensFile !== undefined) {
    tokens = openTokensFile(options.authTokensFile, app.log);
    app.addHook('onClose', async () => tokens?.close());
  }
  app.decorate('reloadAuthTokens', () => tokens?.reload());
  app.decorate('idempotencyTtlMs', options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS);
  const admits = registerAccessControl(app, { tokens, publicDocsAndMetrics: options.publicDocsAndMetrics });
  // sync hooks (done callback), as few as may be: they run on every request, each one a call more
  if (options.corsOrigins === undefined || options.corsOrigins.length === 0) {
    app.addHook('onRequest', (request, reply, done) => {
      if (wellFormed(request, reply) && admits(request, reply)) done();
    });
    return;
  }
  // CORS answers a preflight (which carries no token) between the two
  app.addHook('onRequest', (request, reply, done) => {
    if (wellFormed(request, reply)) done();
  });
  await app.register(cors, {
    origin: options.corsOrigins,
    methods: CORS_METHODS,
    allowedHeaders: CORS_REQUEST_HEADERS,
    exposedHeaders: ['etag', 'location', 'x-request-id', 'idempotent-replayed', 'profile-secrets', 'retry-after', 'www-authenticate'],
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (admits(request, reply)) done();
  });
};

/** Every answer names its request id; an HTTP/1.1 request without Host is refused (true: let through). */
const wellFormed = (request: FastifyRequest, reply: FastifyReply): boolean => {
  reply.header('x-request-id', request.id);
  if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
    sendProblem(reply, problem(400, 'malformed-request', 'an HTTP/1.1 request needs a Host header'));
    return false;
  }
  return true;
};
