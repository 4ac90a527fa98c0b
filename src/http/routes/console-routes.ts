import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { callerRole } from '../auth/access-control.js';
import { ROLES } from '../auth/roles.js';
import { problem, sendProblem } from '../problem.js';

/**
 * The built console (dist/console, made by `npm run build` from console/): from the built server
 * this file is dist/src/http/routes, from the sources src/http/routes.
 */
const consoleRoot = (): string => {
  const above = fileURLToPath(new URL('../../..', import.meta.url));
  return basename(above) === 'dist' ? join(above, 'console') : join(above, 'dist', 'console');
};

/**
 * The console's pages run only what the server sent: its own script and style, calls to this
 * origin, no frames. Set on /console/ responses only; the API answers JSON and sets none.
 */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SESSION_SCHEMA = {
  summary: 'Who the token is: its name (the actor of its writes), role and registries (when limited)',
  response: {
    200: {
      type: 'object',
      required: ['name', 'role'],
      properties: {
        name: { type: ['string', 'null'] },
        role: { type: 'string', enum: [...ROLES] },
        registries: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

/**
 * The admin console at /console/ (public: its static files hold no data, every API call it makes
 * carries the user's token) and GET /api/session, who the token is, so the console shows only
 * what the role may do.
 */
export const registerConsoleRoutes = async (app: FastifyInstance): Promise<void> => {
  app.get('/api/session', { config: { role: 'reader' }, schema: SESSION_SCHEMA }, async (request) => ({
    name: request.caller?.name ?? null,
    role: callerRole(request),
    ...(request.caller?.registries === undefined ? {} : { registries: [...request.caller.registries].sort() }),
  }));
  app.get('/console', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) => reply.redirect('/console/'));
  const root = consoleRoot();
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/console/*', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) =>
      sendProblem(reply, problem(404, 'not-found', 'the console is not built: run `npm run build`')),
    );
    return;
  }
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, role: 'public' };
    });
    scope.addHook('onSend', async (request, reply) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-cache');
    });
    await scope.register(fastifyStatic, { root, prefix: '/console/', decorateReply: false, index: ['index.html'] });
  });
};
