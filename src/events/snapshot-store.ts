import type { RegistryState } from './registry-state.js';

/**
 * Where registries' snapshots (caches of their folds) are kept, bound to one transaction handle as
 * an EventStore is: in SQL, the snapshot table (snapshots.ts); in memory, the states themselves.
 */
export interface SnapshotStore {
  /** The latest snapshot of a registry at or before `maxVersion` (undefined if none can be read). */
  nearest(registry: string, maxVersion?: number): Promise<RegistryState | undefined>;
  /** The version of the registry's last snapshot (0 when it has none). */
  lastVersion(registry: string): Promise<number>;
  write(state: RegistryState): Promise<void>;
}
