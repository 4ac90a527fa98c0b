import { emptyStreamStates, type StateOf, type StreamDecider, type StreamKind, type StreamStates } from './decider.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { WriteTransaction } from './write-transaction.js';

/**
 * What one unit of work (a command, or the commands of an import) changed so far: the states its
 * later commands see, by stream. The cache keeps them only once the unit went through.
 */
export type UnitChanges = StreamStates;

export const emptyUnitChanges = (): UnitChanges => emptyStreamStates();

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
  /** A stream's state: the unit's own, else the cached one if still current, else from its snapshot and events. */
  state<K extends StreamKind>(tx: Tx, unit: UnitChanges, stream: string, decider: StreamDecider<K>): Promise<StateOf<K>>;
  /** Keeps what a unit that went through changed. */
  keep(unit: UnitChanges): void;
  /** Forgets a stream's state, or every state (another process may have written). */
  forget(stream?: string): void;
}

/** A stream's state from its events: the latest snapshot (when its kind keeps them), then a fold of the events after it. */
const aggregate = async <K extends StreamKind>(tx: WriteTransaction, snapshots: SnapshotStore, stream: string, decider: StreamDecider<K>) => {
  const snapshot = await decider.nearestSnapshot?.(snapshots, stream);
  const from = snapshot ?? decider.initialState();
  const fold = decider.startFold(from, stream);
  for (const event of await tx.events.readStream(stream, { fromVersion: decider.versionOf(from) + 1 })) fold.apply(event);
  return fold.state;
};

export const createStateCache = <Tx extends WriteTransaction>(snapshots: (tx: Tx) => SnapshotStore): StateCache<Tx> => {
  const cached = emptyStreamStates();
  const checked = new Set<string>();

  return {
    startTransaction: () => checked.clear(),
    state: async (tx, unit, stream, decider) => {
      const own = unit[decider.kind];
      if (own.has(stream)) return own.get(stream) as StateOf<typeof decider.kind>;
      const states = cached[decider.kind];
      if (states.has(stream)) {
        const state = states.get(stream) as StateOf<typeof decider.kind>;
        if (checked.has(stream) || (await tx.events.streamHead(stream)).version === decider.versionOf(state)) {
          checked.add(stream);
          return state;
        }
      }
      const loaded = await aggregate(tx, snapshots(tx), stream, decider);
      cached[decider.kind].set(stream, loaded);
      checked.add(stream);
      return loaded;
    },
    keep: (unit) => {
      for (const kind of Object.keys(unit) as StreamKind[]) {
        for (const [stream, state] of unit[kind]) {
          (cached[kind] as Map<string, unknown>).set(stream, state);
          checked.add(stream);
        }
      }
    },
    forget: (stream) => {
      for (const states of Object.values(cached)) {
        if (stream === undefined) states.clear();
        else states.delete(stream);
      }
    },
  };
};
