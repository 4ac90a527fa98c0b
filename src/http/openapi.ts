import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
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

/** Swagger UI's plugin requires @fastify/swagger registered first: this stands for it (the `swagger` it decorates is set beside). */
const SWAGGER_STAND_IN = Object.assign(async () => {}, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' },
});

type Generate = FastifyInstance['swagger'];
interface SwaggerHooks {
  onRoute?: (route: RouteOptions) => void;
  onRegister?: (instance: FastifyInstance) => unknown;
  onReady?: (done: () => void) => void;
}

/**
 * @fastify/swagger (with yaml) loaded on the first request for the document: the routes and
 * plugin instances its hooks would have seen are kept as they come and handed to those hooks then.
 */
const lazyDocument = (app: FastifyInstance): (() => Promise<Generate>) => {
  const routes: RouteOptions[] = [];
  const instances: FastifyInstance[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onRegister', (instance) => void instances.push(instance));
  let generate: Promise<Generate> | undefined;
  const load = async (): Promise<Generate> => {
    const { fastifySwagger } = (await import('@fastify/swagger')).default;
    const hooks: SwaggerHooks = {};
    let decorated: Generate | undefined;
    const recorder = {
      addHook: (name: keyof SwaggerHooks, hook: never) => void (hooks[name] = hook),
      decorate: (_name: string, value: Generate) => void (decorated = value),
      getSchemas: () => app.getSchemas(),
    };
    fastifySwagger(recorder as unknown as FastifyInstance, SWAGGER_OPTIONS, (error) => {
      if (error) throw error;
    });
    for (const instance of instances) await hooks.onRegister?.(instance);
    for (const route of routes) hooks.onRoute?.(route);
    await new Promise<void>((resolve) => (hooks.onReady === undefined ? resolve() : hooks.onReady(resolve)));
    if (decorated === undefined) throw new Error('@fastify/swagger decorated nothing');
    return decorated;
  };
  return () =>
    (generate ??= load().catch((error: unknown) => {
      generate = undefined;
      throw error;
    }));
};

/**
 * GET /openapi.json and GET /docs (Swagger UI): the document is generated from the routes' own
 * zod schemas (params, query, body, every response with its problem types), see route-schema.ts.
 * Both are built on their first request, not at the start.
 */
export const registerOpenApi = (app: FastifyInstance): void => {
  const generator = lazyDocument(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => (await generator())());
  lazyApp(app, ['/docs', '/docs/*'], async (inner) => {
    inner.decorate('swagger', await generator());
    await inner.register(SWAGGER_STAND_IN);
    await inner.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/docs' });
  });
};
