import fastifySwagger, { type SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { lazyApp } from './lazy-app.js';
import { openApiTransform, optionalBodies } from './route-schema.js';

const SWAGGER_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'profile-registry',
      version: '0.1.0',
      description: 'Event-sourced registry of LLM chat runtime profiles. Errors are RFC 9457 problem+json.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'this server' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'a token of --auth-tokens-file (when the server runs with auth)' },
      },
    },
    security: [{ bearer: [] }],
    tags: [
      { name: 'profiles', description: 'profile CRUD (pinocchio-compatible)' },
      { name: 'current profile', description: 'the chat_profile cookie' },
      { name: 'registries', description: 'registry CRUD' },
      { name: 'history', description: 'audit trail, diffs, restores' },
      { name: 'resolve', description: 'runtime resolution' },
      { name: 'change feed', description: 'changes as Server-Sent Events or long polls' },
      { name: 'import and export', description: 'registries as bundles' },
      { name: 'schemas', description: 'JSON Schemas of middleware configs and extensions' },
      { name: 'operations', description: 'health, readiness, metrics' },
    ],
  },
  transform: openApiTransform,
  transformObject: (document) => ('openapiObject' in document ? optionalBodies(document.openapiObject) : document.swaggerObject),
};

/** Swagger UI's plugin requires @fastify/swagger registered first: in its own instance, this stands for it (the `swagger` it decorates is set beside). */
const SWAGGER_STAND_IN = Object.assign(async () => {}, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' },
});

/**
 * GET /openapi.json and GET /docs (Swagger UI): the document is generated from the routes' own
 * zod schemas (params, query, body, every response with its problem types), see route-schema.ts,
 * by @fastify/swagger on the first request for it. Swagger UI is loaded on its first request.
 */
export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  await app.register(fastifySwagger, SWAGGER_OPTIONS);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  lazyApp(app, ['/docs', '/docs/*'], async (inner) => {
    inner.decorate('swagger', app.swagger.bind(app));
    await inner.register(SWAGGER_STAND_IN);
    await inner.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/docs' });
  });
};
