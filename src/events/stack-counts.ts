import type { ProfileState, RegistryState } from './registry-state.js';

/**
 * How many stack refs of a registry's profiles name each registry, by state. A fold from a
 * counted state keeps its draft's counts (evolve.ts), so a write costs the refs of the profiles it
 * changes; any other state (from a snapshot, or a replay from the first event, whose folds may
 * leave replaced content unread: rebuild.ts) is counted once, the first time it is asked.
 */
const countsByState = new WeakMap<RegistryState, Map<string, number>>();

const add = (counts: Map<string, number>, profile: ProfileState | undefined, by: 1 | -1): void => {
  if (!profile) return;
  for (const ref of profile.content.stack) {
    if (ref.registry_slug === undefined) continue;
    const count = (counts.get(ref.registry_slug) ?? 0) + by;
    if (count === 0) counts.delete(ref.registry_slug);
    else counts.set(ref.registry_slug, count);
  }
};

/** The counts of a state's refs, by the registry they name. */
export const stackCountsOf = (state: RegistryState): ReadonlyMap<string, number> => {
  let counts = countsByState.get(state);
  if (!counts) {
    counts = new Map();
    for (const profile of state.profiles.values()) add(counts, profile, 1);
    countsByState.set(state, counts);
  }
  return counts;
};

/** Starts the counts of `draft`, a fold's private copy of `from`, from those of `from` when it has them. */
export const forkStackCounts = (draft: RegistryState, from: RegistryState): void => {
  const counts = countsByState.get(from);
  if (counts) countsByState.set(draft, new Map(counts));
};

/** Keeps a draft's counts as one of its profiles goes from `before` to `after` (either undefined: created, deleted). */
export const countProfileChange = (draft: RegistryState, before: ProfileState | undefined, after: ProfileState | undefined): void => {
  const counts = countsByState.get(draft);
  if (!counts || before?.content.stack === after?.content.stack) return;
  add(counts, before, -1);
  add(counts, after, 1);
};

/** A draft whose profiles were all let go (its registry deleted): it stacks on nothing. */
export const clearStackCounts = (draft: RegistryState): void => {
  countsByState.get(draft)?.clear();
};
