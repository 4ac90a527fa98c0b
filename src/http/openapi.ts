import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** GET /openapi.json (generated from the registered routes) and GET /docs (Swagger UI). */
export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'profile-registry',
        version: '0.1.0',
        description: 'Event-sourced registry of LLM chat runtime profiles (contract: shared/API.md). Errors are RFC 9457 problem+json.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
