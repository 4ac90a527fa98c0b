import { effectiveFingerprint } from '../domain/effective-runtime.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import type { ProfileContent } from '../domain/profile.js';
import { lookupInStates, loadReachableStates, stackedRegistries } from '../events/profile-lookup.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { stackFingerprintOf, type FingerprintOf } from './project-registry.js';
import { registryStateAt, registryStateAtVersion } from './time-travel.js';

/** Loads a registry as it was at some point (undefined where it did not exist then). */
export type RegistryLoader = (registry: string) => Promise<RegistryState | undefined>;

/** Registries as they were right after global position `position` (the events are the clock; equal times do not blur it). */
export const registriesAtPosition =
  (executor: SqlExecutor, position: number): RegistryLoader =>
  async (registry) =>
    registryStateAtVersion(executor, registry, await executor.events.streamVersionAtPosition(registry, position));

export const registriesAtTime =
  (executor: SqlExecutor, atMs: number): RegistryLoader =>
  (registry) =>
    registryStateAt(executor, registry, { atMs }).catch(() => undefined);

/**
 * Fingerprints as they were at one point: a profile's stack resolves against every registry it
 * reaches (across registries) as each was then; `state` is its own registry at that point.
 */
export const fingerprintAtPoint = async (key: FingerprintKey, state: RegistryState, load: RegistryLoader): Promise<FingerprintOf> => {
  const states = new Map<string, RegistryState | undefined>([[state.slug, state]]);
  await loadReachableStates(stackedRegistries(state), states, load);
  return stackFingerprintOf(key, lookupInStates(states));
};

/**
 * The fingerprint of one profile content's effective runtime at a global position: what a resolve
 * right after that position answered (the content is the profile's as of then).
 */
export const contentFingerprintAtPosition = async (
  executor: SqlExecutor,
  key: FingerprintKey,
  registry: string,
  content: ProfileContent,
  position: number,
  cache: Map<string, Promise<RegistryState | undefined>> = new Map(),
): Promise<string> => {
  const atPosition = registriesAtPosition(executor, position);
  const load: RegistryLoader = (slug) => {
    const key = `${slug}@${position}`;
    let loading = cache.get(key);
    if (!loading) cache.set(key, (loading = atPosition(slug)));
    return loading;
  };
  const states = new Map<string, RegistryState | undefined>();
  const start = new Set(content.stack.map((ref) => ref.registry_slug ?? registry));
  await loadReachableStates(start, states, load);
  return effectiveFingerprint(key, registry, content, lookupInStates(states));
};
