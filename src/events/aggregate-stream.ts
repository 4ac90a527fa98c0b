import { foldEvents } from './evolve.js';
import type { RegistryState } from './registry-state.js';
import { nearestSnapshot } from './snapshots.js';
import type { SqlExecutor } from './sql-database.js';

/**
 * A registry's state from its events: the latest snapshot at or before `toVersion` (the head when
 * absent), then a fold of the events after it (as Emmett's aggregateStream). Undefined before the
 * first event. The decider judges writes on this, never on projection rows.
 */
export const aggregateStream = async (
  executor: SqlExecutor,
  registry: string,
  options: { toVersion?: number; useSnapshots?: boolean } = {},
): Promise<RegistryState | undefined> => {
  const snapshot = options.useSnapshots === false ? undefined : await nearestSnapshot(executor, registry, options.toVersion);
  const events = await executor.events.readStream(registry, { fromVersion: (snapshot?.version ?? 0) + 1, toVersion: options.toVersion });
  return foldEvents(events, registry, snapshot);
};
