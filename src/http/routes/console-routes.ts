import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyApp } from '../lazy-app.js';
import { problem, sendProblem } from '../problem.js';
import type { RoutesPlugin } from '../route-schema.js';

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

/**
 * The admin console at /console/ (public: its static files hold no data, every API call it makes
 * carries the user's token; GET /api/session tells it what the role may do).
 */
export const consoleRoutes: RoutesPlugin<Record<never, never>> = async (app) => {
  app.get('/console', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) => reply.redirect('/console/'));
  const root = consoleRoot();
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/console/*', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) =>
      sendProblem(reply, problem(404, 'not-found', 'the console is not built: run `npm run build`')),
    );
    return;
  }
  // browsers ask for /favicon.ico on any page of this origin: the console's icon answers it
  app.get('/favicon.ico', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) => reply.redirect('/console/favicon.svg', 301));
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
    // @fastify/static (with glob and mime) is loaded by the first request for a console file
    lazyApp(scope, ['/console/*'], async (inner) => {
      await inner.register((await import('@fastify/static')).default, { root, prefix: '/console/', decorateReply: false, index: ['index.html'] });
    });
  });
};
