import type { FastifyInstance } from 'fastify';
import type { RegistryStore } from '../../projections/registry-store.js';
import { problem, RETRY_AFTER_SECONDS, sendProblem } from '../problem.js';

export const registerHealthRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  app.get('/healthz', { config: { role: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { role: 'public' } }, async (request, reply) => {
    try {
      await store.db.get('SELECT 1 AS ok');
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      return sendProblem(reply.header('retry-after', String(RETRY_AFTER_SECONDS)), problem(503, 'not-ready', 'database not reachable'));
    }
  });
};
