import type { ProfileLookup } from '../domain/stack-merge.js';
import type { RegistryState } from './registry-state.js';
import { stackCountsOf } from './stack-counts.js';

/** Looks profiles up in the live registries of `states` (keyed by registry slug). */
export const lookupInStates =
  (states: ReadonlyMap<string, RegistryState | undefined>): ProfileLookup =>
  (registry, slug) => {
    const state = states.get(registry);
    return state?.live ? state.profiles.get(slug)?.content : undefined;
  };

/** The other registries a registry's profiles stack on (kept per state: see stack-counts.ts). */
export const stackedRegistries = (state: RegistryState | undefined): Iterable<string> => (state?.live ? stackCountsOf(state).keys() : []);

/**
 * Adds to `states` every registry reachable from `start` through stack refs that it does not hold
 * yet, each loaded once by `load` (a registry that does not exist is held as undefined).
 */
export const loadReachableStates = async (
  start: Iterable<string>,
  states: Map<string, RegistryState | undefined>,
  load: (registry: string) => Promise<RegistryState | undefined>,
): Promise<void> => {
  const queue = [...start];
  while (queue.length > 0) {
    const registry = queue.pop() as string;
    if (states.has(registry)) continue;
    const state = await load(registry);
    states.set(registry, state);
    queue.push(...stackedRegistries(state));
  }
};
