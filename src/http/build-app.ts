import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { decodeJsonUtf8, refuseInexactNumbers } from '../domain/intact-json.js';
import type { RegistryStore } from '../use-cases/registry-store.js';
import { createLogger } from './logger.js';
import { LevelCheckedLogController, makeRequestLoggersLazy } from './request-logger.js';
import { observeRequestDurations, registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { problem, problemErrorHandler, sendProblem } from './problem.js';
import { jsonSerializerCompiler, zodValidatorCompiler } from './route-schema.js';
import { newRequestId } from './request-ids.js';
import { consoleRoutes } from './routes/console-routes.js';
import { currentProfileRoutes } from './routes/current-profile-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { historyRoutes } from './routes/history-routes.js';
import { importExportRoutes } from './routes/import-export-routes.js';
import { profileRoutes } from './routes/profile-routes.js';
import { publishRoutes } from './routes/publish-routes.js';
import { registryRoutes } from './routes/registry-routes.js';
import { resolveRoutes } from './routes/resolve-routes.js';
import { schemaRoutes } from './routes/schema-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { watchRoutes } from './routes/watch-routes.js';
import { registerSecurity, securityServerOptions, type SecurityOptions } from './security.js';
import { registerUnreadBodyDrain } from './unread-body.js';
import { memoizedQueryParser } from './query-strings.js';

export interface AppOptions extends SecurityOptions {
  store: RegistryStore;
  logLevel?: string;
  /** Where log lines go (stdout unless a test collects them). */
  logStream?: { write(line: string): void };
  bodyLimitBytes?: number;
  /** Interval of the change feed's heartbeat comments (15 s unless a test says otherwise). */
  watchHeartbeatMs?: number;
  /** How often the change feed looks for commits of other processes (1 s; 10 s where the database announces them). */
  watchPollMs?: number;
}

/** Fastify types these factories after ajv's; they receive the route schema all the same. */
const ZOD_COMPILERS = {
  buildValidator: () => zodValidatorCompiler,
  buildSerializer: () => jsonSerializerCompiler,
} as unknown as NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];

/** A caller's request id is kept when it is a plain token of at most 128 characters. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const MAX_PATH_PARAM_LENGTH = 1024;

/** The Fastify app: routes over a registry store, every error as problem+json. */
export const buildApp = async (options: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: createLogger(options.logLevel ?? 'info', options.logStream),
    logController: new LevelCheckedLogController(),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId();
    },
    return503OnClosing: true,
    // routes declare zod schemas: zod validates (refusals are problem+json), answers are serialized
    // as JSON; given here, Fastify never loads its own compilers (ajv, fast-json-stringify)
    schemaController: { compilersFactory: ZOD_COMPILERS },
    // slugs are up to 128 characters (more once percent-encoded); longer ones reach the slug check
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH, querystringParser: memoizedQueryParser() },
    frameworkErrors: problemErrorHandler,
    ...securityServerOptions(options),
  });
  makeRequestLoggersLazy(app.log);
  // first: every route declared after it is timed
  const requestDurations = observeRequestDurations(app);
  registerUnreadBodyDrain(app);
  await registerSecurity(app, options);
  // Fastify parses text/plain by default; the API takes JSON only (anything else: 415)
  app.removeContentTypeParser('text/plain');
  // some clients send `Content-Type: application/json` with an empty DELETE: that is no body, not bad JSON
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // read as bytes: invalid UTF-8, non-finite numbers and integers that would round are refused (400 naming the pointer)
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = decodeJsonUtf8(body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      try {
        refuseInexactNumbers(text, value);
      } catch (refusal) {
        return done(refusal as Error, undefined);
      }
      done(null, value);
    });
  });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'not-found', `route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
  await registerOpenApi(app);
  const metrics = registerMetrics(app, options.store, requestDurations);
  const routes = { store: options.store };
  await app.register(healthRoutes, routes);
  await app.register(profileRoutes, routes);
  await app.register(publishRoutes, routes);
  await app.register(registryRoutes, routes);
  await app.register(historyRoutes, routes);
  await app.register(resolveRoutes, routes);
  await app.register(currentProfileRoutes, routes);
  await app.register(watchRoutes, {
    ...routes,
    heartbeatMs: options.watchHeartbeatMs,
    pollMs: options.watchPollMs,
    maxPerClient: options.maxWatchersPerClient,
    onDelivered: metrics.feedDelivered,
  });
  await app.register(importExportRoutes, routes);
  await app.register(schemaRoutes, routes);
  await app.register(sessionRoutes);
  await app.register(consoleRoutes);
  return app;
};
