import type { CoreEventStore } from './event-store.js';
import { foldEvents } from './evolve.js';
import type { RegistryState } from './registry-state.js';
import type { SnapshotStore } from './snapshot-store.js';

/**
 * A registry's state from its events: the latest snapshot at or before `toVersion` (the head when
 * absent), then a fold of the events after it (as Emmett's aggregateStream); without `snapshots`,
 * a fold from the first event. Undefined before the first event. The decider judges writes on
 * this, never on projection rows.
 */
export const aggregateStream = async (
  events: CoreEventStore,
  registry: string,
  options: { toVersion?: number; snapshots?: SnapshotStore } = {},
): Promise<RegistryState | undefined> => {
  const snapshot = await options.snapshots?.nearest(registry, options.toVersion);
  const after = await events.readStream(registry, { fromVersion: (snapshot?.version ?? 0) + 1, toVersion: options.toVersion });
  return foldEvents(after, registry, snapshot);
};
