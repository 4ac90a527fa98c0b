import type { Middleware } from './profile.js';

const EXTENSION_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;

/**
 * The middleware configs of a runtime where pinocchio's runtime reads them (geppetto's
 * engineprofiles/middleware_extensions.go): `extensions["middleware.<name>_config@v1"] =
 * {instances: {"id:<id>" | "index:<position>": config}}`. Middlewares without a config, or whose
 * name cannot make an extension key, are left out.
 */
export const middlewareConfigExtensions = (middlewares: readonly Middleware[] = []): Record<string, { instances: Record<string, unknown> }> => {
  const out: Record<string, { instances: Record<string, unknown> }> = {};
  middlewares.forEach((middleware, index) => {
    const name = middleware.name.trim().toLowerCase();
    const config = middleware.config;
    if (!EXTENSION_NAME.test(name) || typeof config !== 'object' || config === null || Array.isArray(config)) return;
    const key = `middleware.${name}_config@v1`;
    const slot = middleware.id !== undefined && middleware.id.trim() !== '' ? `id:${middleware.id.trim()}` : `index:${index}`;
    out[key] ??= { instances: {} };
    out[key].instances[slot] = config;
  });
  return out;
};
