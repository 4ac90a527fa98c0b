import type { RegistryState } from '../registry-state.js';
import type { SnapshotStore } from '../snapshot-store.js';
import type { UndoLog } from './undo-log.js';

/**
 * Snapshots in memory: the states themselves (states are never changed, so keeping one is as good
 * as its JSON), in version order per registry; writes roll back with `undo`.
 */
export const createInMemorySnapshotStore = (undo: UndoLog): SnapshotStore => {
  const byRegistry = new Map<string, RegistryState[]>();
  return {
    nearest: async (registry, maxVersion = Number.MAX_SAFE_INTEGER) =>
      (byRegistry.get(registry) ?? []).filter((state) => state.version <= maxVersion).at(-1),
    lastVersion: async (registry) => byRegistry.get(registry)?.at(-1)?.version ?? 0,
    write: async (state) => {
      const others = (byRegistry.get(state.slug) ?? []).filter((taken) => taken.version !== state.version);
      undo.set(byRegistry, state.slug, [...others, state].sort((a, b) => a.version - b.version));
    },
  };
};
