import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markSecretsRevealed } from '../revealed-secrets.js';
import { loggedUrl } from '../logger.js';
import { problem, sendProblem } from '../problem.js';
import { defaultRequiredRole, roleAllows, type RequiredRole, type Role } from './roles.js';
import type { TokenHolder, TokensFile } from './tokens-file.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route needs (API.md section 5); undeclared: `reader` for GET, `admin` otherwise. */
    role?: RequiredRole;
    /** The route changes what every registry shares (schemas): a token limited to registries gets 403. */
    global?: boolean;
  }
  interface FastifyRequest {
    /** Who asks: the token's holder, or null when the server runs without auth (everyone is an admin then). */
    caller: TokenHolder | null;
  }
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,512})[ \t]*$/i;

const bearerToken = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
};

const unauthorized = (reply: FastifyReply, detail: string, error?: string): FastifyReply => {
  reply.header('www-authenticate', error ? `Bearer realm="profile-registry", error="${error}"` : 'Bearer realm="profile-registry"');
  return sendProblem(reply, problem(401, 'unauthorized', detail));
};

/** The role of whoever asks: without auth, every caller is an admin (the server listens on loopback only). */
export const callerRole = (request: FastifyRequest): Role => request.caller?.role ?? 'admin';

/**
 * Whether `?reveal=secrets` was asked (only an admin gets that far: the access hook refuses others).
 * The access hook runs before the route's schema and reads the query as sent; handlers read it
 * as `revealQuery` parsed it (`'secrets'` or undefined).
 */
export const revealsSecrets = (request: FastifyRequest): boolean => {
  const reveal = (request.query as Record<string, unknown> | undefined)?.reveal;
  return reveal === 'secrets' || (Array.isArray(reveal) && reveal.includes('secrets'));
};

export const GLOBAL_ONLY = 'schemas are shared by every registry: changing them needs a token without a registries limit';

/**
 * Authentication and roles: returns the check an onRequest hook makes of every request (true: let
 * through; false: refused, the reply sent). Without a tokens file every request passes (the server
 * then refuses to listen beyond loopback unless told `--insecure-no-auth`).
 */
export const registerAccessControl = (
  app: FastifyInstance,
  options: { tokens?: TokensFile; publicDocsAndMetrics?: boolean },
): ((request: FastifyRequest, reply: FastifyReply) => boolean) => {
  const { tokens } = options;
  // /metrics, /openapi.json and /docs (Swagger UI's routes declare nothing): open only when asked
  app.addHook('onRoute', (route) => {
    if (route.url === '/metrics' || route.url === '/openapi.json' || route.url === '/docs' || route.url.startsWith('/docs/')) {
      route.config = { ...route.config, role: options.publicDocsAndMetrics ? 'public' : 'reader' };
    }
  });
  app.decorateRequest('caller', null);
  return (request, reply) => refusalOf(tokens, request, reply) === undefined;
};

/** Refuses a request its caller may not make (the reply sent), or lets it through (undefined). */
const refusalOf = (tokens: TokensFile | undefined, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
  // without a tokens file every caller is let in: the route's config (a new object at each read) is not read then
  const config = tokens === undefined ? undefined : request.routeOptions.config;
  // the role the request needs: what its route declares, or the default by method
  const required: RequiredRole = config?.role ?? defaultRequiredRole(request.method);
  if (tokens !== undefined && required !== 'public') {
    if (request.headers.authorization === undefined) return unauthorized(reply, 'a bearer token is required');
    const token = bearerToken(request);
    const holder = token === undefined ? undefined : tokens.find(token);
    if (holder === undefined) return unauthorized(reply, 'the bearer token is not valid', 'invalid_token');
    request.caller = holder;
    if (!roleAllows(holder.role, required)) {
      return sendProblem(reply, problem(403, 'forbidden', `this route needs the ${required} role (the token has ${holder.role})`));
    }
    if (config?.global === true && holder.registries !== undefined) {
      return sendProblem(reply, problem(403, 'forbidden', GLOBAL_ONLY));
    }
  }
  if (revealsSecrets(request)) {
    if (callerRole(request) !== 'admin') {
      return sendProblem(reply, problem(403, 'forbidden', 'revealing secrets needs the admin role'));
    }
    request.log.info({ actor: request.caller?.name ?? 'anonymous', url: loggedUrl(request.url) }, 'secrets revealed');
    markSecretsRevealed(reply);
  }
  return undefined;
};
