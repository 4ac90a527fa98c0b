import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { nanoid } from 'nanoid';
import { registerAccessControl } from './auth/access-control.js';
import { openTokensFile, type TokensFile } from './auth/tokens-file.js';
import { problemClientErrorHandler } from './client-errors.js';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from './idempotent-write.js';
import type { RegistryStore } from '../projections/registry-store.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { problem, problemErrorHandler, sendProblem } from './problem.js';
import { registerCurrentProfileRoutes } from './routes/current-profile-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerHistoryRoutes } from './routes/history-routes.js';
import { registerImportExportRoutes } from './routes/import-export-routes.js';
import { registerProfileRoutes } from './routes/profile-routes.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';
import { registerResolveRoutes } from './routes/resolve-routes.js';
import { registerWatchRoutes } from './routes/watch-routes.js';

export interface AppOptions {
  store: RegistryStore;
  logLevel?: string;
  /** Where log lines go (stdout unless a test collects them). */
  logStream?: { write(line: string): void };
  bodyLimitBytes?: number;
  /** Interval of the change feed's heartbeat comments (15 s unless a test says otherwise). */
  watchHeartbeatMs?: number;
  /** How often the change feed looks for commits of other processes on the same database (1 s). */
  watchPollMs?: number;
  /** Bearer tokens (API.md section 5); without it every request is let in (loopback only, see serve). */
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

/** A caller's request id is kept when it is a plain token of at most 128 characters. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MAX_PATH_PARAM_LENGTH = 1024;

/** The Fastify app: routes over a registry store, every error as problem+json. */
export const buildApp = async (options: AppOptions): Promise<FastifyInstance> => {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nanoid(12);
    },
    return503OnClosing: true,
    // slugs are up to 128 characters (more once percent-encoded); longer ones reach the slug check
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: problemErrorHandler,
    clientErrorHandler: problemClientErrorHandler,
    requestTimeout,
    http: {
      // timeouts are checked this often (Node's default, 30 s, would let a slow client stay that much longer)
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
      headersTimeout: Math.min(10_000, requestTimeout),
      // a request without Host is answered by the hook below, as problem+json
      requireHostHeader: false,
    },
  });
  let tokens: TokensFile | undefined;
  if (options.authTokensFile !== undefined) {
    tokens = openTokensFile(options.authTokensFile, app.log);
    app.addHook('onClose', async () => tokens?.close());
  }
  app.decorate('reloadAuthTokens', () => tokens?.reload());
  app.decorate('idempotencyTtlMs', options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      sendProblem(reply, problem(400, 'malformed-request', 'an HTTP/1.1 request needs a Host header'));
      return;
    }
    done();
  });
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: options.corsOrigins,
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'idempotent-replayed'],
    });
  }
  registerAccessControl(app, { tokens, publicDocsAndMetrics: options.publicDocsAndMetrics });
  // Fastify parses text/plain by default; the API takes JSON only (anything else: 415)
  app.removeContentTypeParser('text/plain');
  // some clients send `Content-Type: application/json` with an empty DELETE: that is no body, not bad JSON
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'not-found', `route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
  await registerOpenApi(app);
  registerMetrics(app, options.store);
  registerHealthRoutes(app, options.store);
  registerProfileRoutes(app, options.store);
  registerRegistryRoutes(app, options.store);
  registerHistoryRoutes(app, options.store);
  registerResolveRoutes(app, options.store);
  registerCurrentProfileRoutes(app, options.store);
  registerWatchRoutes(app, options.store, {
    heartbeatMs: options.watchHeartbeatMs,
    pollMs: options.watchPollMs,
    maxPerClient: options.maxWatchersPerClient,
  });
  registerImportExportRoutes(app, options.store);
  return app;
};
