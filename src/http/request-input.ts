import type { FastifyRequest } from 'fastify';
import { DomainError, validationError } from '../domain/errors.js';
import { unstorableField } from '../domain/parse-input.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import type { CommandContext } from '../events/command-bus.js';
import { requireRegistryAccess } from './auth/scope.js';

/** Reading what a request names: slugs, the registry, expected versions, who asks. */

export type Query = Record<string, string | string[] | undefined>;

export const queryValue = (request: FastifyRequest, name: string): string | undefined => {
  const value = (request.query as Query)[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
};

/** The registry the body or `?registry=` names (the body wins); undefined when neither does. */
export const namedRegistry = (request: FastifyRequest, bodyRegistry?: unknown): string | undefined => {
  const raw = bodyRegistry ?? queryValue(request, 'registry');
  return raw === undefined || raw === '' ? undefined : requireRegistryAccess(request, requireRegistrySlug(raw));
};

/** The registry from the body, then `?registry=`, then the server's default registry. */
export const registryOf = (request: FastifyRequest, bodyRegistry?: unknown): string =>
  namedRegistry(request, bodyRegistry) ?? requireRegistryAccess(request, DEFAULT_REGISTRY);

/** `expected_version`: an integer ≥ 0 (a number in a body, digits in a query); 0 or absent means no check. */
export const parseExpectedVersion = (raw: unknown): number | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('invalid_expected_version', 'invalid expected_version');
  }
  return value;
};

const MAX_ACTOR_LENGTH = 256;

/**
 * Who a write is attributed to. With auth on, the token's name: `X-Actor` is ignored, except from
 * an admin, whose `X-Actor` is recorded as `on_behalf_of` beside it. Without auth, `X-Actor`.
 */
export const commandContext = (request: FastifyRequest, source = 'http-api'): CommandContext => {
  const header = request.headers['x-actor'];
  const named = (Array.isArray(header) ? header[0] : header)?.trim();
  const caller = request.caller;
  // a set, not a function: a context crosses to the writer thread (registry-writer.ts)
  const registries = caller?.registries;
  const scoped = registries === undefined ? {} : { readable: registries };
  if (caller && caller.role !== 'admin') return { actor: caller.name, source, request_id: String(request.id), ...scoped };
  if (named !== undefined && named.length > MAX_ACTOR_LENGTH) {
    throw validationError('X-Actor', `at most ${MAX_ACTOR_LENGTH} characters`);
  }
  if (!caller) return { actor: named || 'anonymous', source, request_id: String(request.id) };
  const context: CommandContext = { actor: caller.name, source, request_id: String(request.id), ...scoped };
  if (named) context.on_behalf_of = named;
  return context;
};

/** A JSON object body (or `{}` when there is none); route body schemas validate what this returns. */
export const objectBodyOf = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('validation', 'validation error (body): must be a JSON object', {
      errors: [{ path: 'body', message: 'must be a JSON object' }],
    });
  }
  const unstorable = unstorableField(body);
  if (unstorable !== undefined) throw validationError(unstorable.path, unstorable.message);
  return body as Record<string, unknown>;
};
