import type { RegistryStore } from '../../use-cases/registry-store.js';
import { problem, RETRY_AFTER_SECONDS, sendProblem } from '../problem.js';
import type { RoutesPlugin } from '../route-schema.js';
import { jsonAnswer } from '../schemas/answers.js';
import { statusSchema } from '../schemas/documents.js';
import { problemResponse } from '../schemas/problems.js';

export const healthRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  app.get(
    '/healthz',
    {
      config: { role: 'public' },
      schema: {
        operationId: 'getHealth',
        tags: ['operations'],
        security: [],
        summary: 'Liveness: the process answers',
        response: { 200: jsonAnswer(statusSchema, 'alive: `{"status":"ok"}`') },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { role: 'public' },
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        security: [],
        summary: 'Readiness: the database answers',
        response: { 200: jsonAnswer(statusSchema, 'ready: `{"status":"ready"}`'), 503: problemResponse(503) },
      },
    },
    async (request, reply) => {
      try {
        await store.db.get('SELECT 1 AS ok');
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable');
        return sendProblem(reply.header('retry-after', String(RETRY_AFTER_SECONDS)), problem(503, 'not-ready', 'database not reachable'));
      }
    },
  );
};
