import { aggregateStream } from './aggregate-stream.js';
import type { RegistryState } from './registry-state.js';
import { foldSchemaEvents, SCHEMA_STREAM, type SchemaState } from './schema-state.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { WriteTransaction } from './write-transaction.js';

/**
 * What one unit of work (a command, or the commands of an import) changed so far: the states its
 * later commands see. The cache keeps them only once the unit went through.
 */
export interface UnitChanges {
  registries: Map<string, RegistryState>;
  schemas?: SchemaState;
}

export const emptyUnitChanges = (): UnitChanges => ({ registries: new Map() });

/**
 * The states the command runner judges on, kept between transactions. A cached state is used only
 * when its stream's head, read inside the transaction, is still its version; that is asked once
 * per transaction (inside it no other writer moves the stream: write transactions exclude each
 * other, across processes too), and this process's own commands keep the cache current or drop
 * it. States are never changed (evolve returns new ones), so a cached state can be shared.
 */
export interface StateCache<Tx extends WriteTransaction> {
  /** Forgets which heads were checked: call at the start of each write transaction. */
  startTransaction(): void;
  /** A registry's state: the unit's own, else the cached one if still current, else from its events. */
  registry(tx: Tx, unit: UnitChanges, registry: string): Promise<RegistryState | undefined>;
  /** The schema stream's state, likewise. */
  schemas(tx: Tx, unit: UnitChanges): Promise<SchemaState>;
  /** Keeps what a unit that went through changed. */
  keep(unit: UnitChanges): void;
  /** Forgets a registry's state, or every state (another process may have written). */
  forget(registry?: string): void;
  forgetSchemas(): void;
}

export const createStateCache = <Tx extends WriteTransaction>(snapshots: (tx: Tx) => SnapshotStore): StateCache<Tx> => {
  const registries = new Map<string, RegistryState | undefined>();
  const checked = new Set<string>();
  let schemas: SchemaState | undefined;
  let schemasChecked = false;

  const cachedIfCurrent = async (tx: Tx, registry: string): Promise<{ state: RegistryState | undefined } | undefined> => {
    if (!registries.has(registry)) return undefined;
    const cached = registries.get(registry);
    if (checked.has(registry)) return { state: cached };
    const head = await tx.events.streamHead(registry);
    if (head.version !== (cached?.version ?? 0)) return undefined;
    checked.add(registry);
    return { state: cached };
  };

  return {
    startTransaction: () => {
      checked.clear();
      schemasChecked = false;
    },
    registry: async (tx, unit, registry) => {
      if (unit.registries.has(registry)) return unit.registries.get(registry);
      const cached = await cachedIfCurrent(tx, registry);
      if (cached) return cached.state;
      const loaded = await aggregateStream(tx.events, registry, { snapshots: snapshots(tx) });
      registries.set(registry, loaded);
      checked.add(registry);
      return loaded;
    },
    schemas: async (tx, unit) => {
      if (unit.schemas) return unit.schemas;
      if (schemasChecked && schemas) return schemas;
      const head = await tx.events.streamHead(SCHEMA_STREAM);
      if (schemas?.version !== head.version) schemas = foldSchemaEvents(await tx.events.readStream(SCHEMA_STREAM));
      schemasChecked = true;
      return schemas;
    },
    keep: (unit) => {
      for (const [registry, state] of unit.registries) {
        registries.set(registry, state);
        checked.add(registry);
      }
      if (unit.schemas) schemas = unit.schemas;
    },
    forget: (registry) => {
      if (registry !== undefined) {
        registries.delete(registry);
        return;
      }
      registries.clear();
      schemas = undefined;
    },
    forgetSchemas: () => {
      schemas = undefined;
    },
  };
};
