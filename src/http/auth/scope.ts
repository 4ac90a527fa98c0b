import type { FastifyRequest } from 'fastify';
import { isDomainError, narrowedError, profileNotFound, registryNotFound } from '../../domain/errors.js';

/**
 * What a request may see (API.md section 5, "Scope is one invariant"): every registry, or the few
 * of a token limited to `registries`. Every answer is cut to it here, in one place: a registry the
 * request names (`requireRegistryAccess`), lists (`visibleItems`), stack layers
 * (`requireVisibleLayers`), errors that name profiles (`scopedError`, run by the error handler on
 * every refusal before it is sent or logged) and change-feed frames (`scopedChange`). Whatever lies
 * outside answers exactly as a missing one would, or is left out (with a count where one helps).
 */
export interface Scope {
  /** False when the caller sees every registry (an unlimited token, or no auth). */
  readonly limited: boolean;
  sees(registry: string): boolean;
}

const EVERYTHING: Scope = { limited: false, sees: () => true };

export const scopeOf = (request: FastifyRequest): Scope => {
  const registries = request.caller?.registries;
  return registries === undefined ? EVERYTHING : { limited: true, sees: (registry) => registries.has(registry) };
};

/** Whether the caller may see a registry: a token limited to registries sees only those. */
export const mayAccessRegistry = (request: FastifyRequest, registry: string): boolean => scopeOf(request).sees(registry);

/** The one check of a registry a request names: outside a token's registries it does not exist (404, not 403). */
export const requireRegistryAccess = (request: FastifyRequest, registry: string): string => {
  if (!mayAccessRegistry(request, registry)) throw registryNotFound();
  return registry;
};

/** Resolving needs every layer: a stack reaching a registry outside the scope answers as a missing profile. */
export const requireVisibleLayers = (request: FastifyRequest, registries: Iterable<string>): void => {
  const scope = scopeOf(request);
  for (const registry of registries) if (!scope.sees(registry)) throw profileNotFound();
};

/** The items of a list that lie in the caller's registries. */
export const visibleItems = <T>(request: FastifyRequest, items: readonly T[], registryOf: (item: T) => string): T[] => {
  const scope = scopeOf(request);
  return scope.limited ? items.filter((item) => scope.sees(registryOf(item))) : [...items];
};

/**
 * A refusal as the caller may see it: an error that names profiles outside the scope is re-worded
 * by the domain (`named.narrowed`) to name only the visible ones, or to answer as a missing one.
 */
export const scopedError = (request: FastifyRequest, error: unknown): unknown => {
  if (!isDomainError(error) || error.named === undefined) return error;
  const scope = scopeOf(request);
  return scope.limited ? narrowedError(error, scope.sees) : error;
};

/** A change as a caller's feed shows it (undefined: it shows nothing of it). */
export interface ScopedChange<A extends { registry: string }> {
  /** The change happened in a registry outside the scope: only its effect on visible profiles is told. */
  outside: boolean;
  affected: A[];
}

/**
 * A change of the feed within the scope: in a visible registry, with the affected profiles cut to
 * the scope; outside it, only when it moved visible profiles (a stack layer changed), as those alone.
 */
export const scopedChange = <A extends { registry: string }>(
  scope: Scope,
  registry: string,
  affected: A[],
): ScopedChange<A> | undefined => {
  if (!scope.limited) return { outside: false, affected };
  const visible = affected.filter((each) => scope.sees(each.registry));
  if (scope.sees(registry)) return { outside: false, affected: visible };
  return visible.length > 0 ? { outside: true, affected: visible } : undefined;
};
