import type { FastifyRequest } from 'fastify';
import { validationError } from '../domain/errors.js';
import { unstorableField } from '../domain/parse-input.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import type { CommandContext } from '../events/command-bus.js';
import { requireRegistryAccess } from './auth/scope.js';
import type { ActorHeaders } from './schemas/headers.js';

/** Reading what a request names: the registry (as its route's schema parsed it), who asks. */

/**
 * The registry a request names, checked against the caller's scope: the first of `named` that is
 * given (the body's field, then `?registry=`, both parsed by the route's schema); undefined when none is.
 */
export const namedRegistry = (request: FastifyRequest, ...named: (string | undefined)[]): string | undefined => {
  const registry = named.find((each) => each !== undefined);
  return registry === undefined ? undefined : requireRegistryAccess(request, registry);
};

/** The registry a request names (see `namedRegistry`), else the server's default registry. */
export const registryOf = (request: FastifyRequest, ...named: (string | undefined)[]): string =>
  namedRegistry(request, ...named) ?? requireRegistryAccess(request, DEFAULT_REGISTRY);

/** A request whose route declared `actorHeaders` (or a schema extending it): `X-Actor` comes parsed. */
export type ActorRequest = FastifyRequest & { headers: ActorHeaders };

/**
 * Who a write is attributed to. With auth on, the token's name: `X-Actor` is ignored, except from
 * an admin, whose `X-Actor` is recorded as `on_behalf_of` beside it. Without auth, `X-Actor`.
 */
export const commandContext = (request: ActorRequest, source = 'http-api'): CommandContext => {
  const named = request.headers['x-actor'];
  const caller = request.caller;
  const registries = caller?.registries;
  const scoped = registries === undefined ? {} : { readable: registries };
  if (caller && caller.role !== 'admin') return { actor: caller.name, source, request_id: String(request.id), ...scoped };
  if (!caller) return { actor: named ?? 'anonymous', source, request_id: String(request.id) };
  const context: CommandContext = { actor: caller.name, source, request_id: String(request.id), ...scoped };
  if (named) context.on_behalf_of = named;
  return context;
};

/** A JSON object body (or `{}` when there is none); route body schemas validate what this returns. */
export const objectBodyOf = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw validationError('body', 'must be a JSON object');
  }
  const unstorable = unstorableField(body);
  if (unstorable !== undefined) throw validationError(unstorable.path, unstorable.message);
  return body as Record<string, unknown>;
};
