import Fastify, { type FastifyInstance } from 'fastify';
import { nanoid } from 'nanoid';
import type { RegistryStore } from '../projections/registry-store.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { problem, problemErrorHandler, sendProblem } from './problem.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerImportExportRoutes } from './routes/import-export-routes.js';
import { registerProfileRoutes } from './routes/profile-routes.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';

export interface AppOptions {
  store: RegistryStore;
  logLevel?: string;
  bodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The Fastify app: routes over a registry store, every error as problem+json. */
export const buildApp = async (options: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => nanoid(12),
    return503OnClosing: true,
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
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
  registerImportExportRoutes(app, options.store);
  return app;
};
