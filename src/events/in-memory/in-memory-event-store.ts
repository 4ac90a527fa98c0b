import { chainEvents, storedEventOf } from '../chain-events.js';
import { GENESIS_HASH } from '../event-hash.js';
import { bindEventStore, type EventStore, type EventStoreOperations } from '../event-store.js';
import { createMutex } from '../sql-database.js';
import { storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import type { TransactionalStore, WriteTransaction } from '../write-transaction.js';
import { createUndoLog, type UndoLog } from './undo-log.js';

type Row = StoredEventRow & { position: number; stream_version: number; occurred_at_ms: number };

/** The log: rows in position order, and each stream's rows in version order; appends are recorded in `undo`. */
interface Log {
  rows: Row[];
  streams: Map<string, Row[]>;
  undo: UndoLog;
}

const operations: EventStoreOperations<Log> = {
  streamHead: async (log, streamId) => {
    const last = log.streams.get(streamId)?.at(-1);
    return last ? { version: last.stream_version, hash: last.hash } : { version: 0, hash: GENESIS_HASH };
  },
  appendToStream: async (log, streamId, expectedVersion, events) => {
    const chained = chainEvents(streamId, await operations.streamHead(log, streamId), expectedVersion, events);
    const stream = log.streams.get(streamId) ?? [];
    log.streams.set(streamId, stream);
    return chained.map((event) => {
      // stored as the databases store it: the same bytes come back parsed and upcast
      const { event: _, ...columns } = event;
      const row: Row = { ...columns, position: log.rows.length + 1 };
      log.rows.push(row);
      stream.push(row);
      log.undo.record(() => {
        log.rows.pop();
        stream.pop();
      });
      return storedEventOf(event, row.position);
    });
  },
  readStream: async (log, streamId, { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, untilMs = Number.MAX_SAFE_INTEGER } = {}) =>
    (log.streams.get(streamId) ?? [])
      .filter((row) => row.stream_version >= fromVersion && row.stream_version <= toVersion && row.occurred_at_ms <= untilMs)
      .map(storedEventFromRow),
  readAll: async (log, { after = 0, limit = 1000, streamId } = {}) =>
    log.rows
      .slice(after)
      .filter((row) => streamId === undefined || row.stream_id === streamId)
      .slice(0, limit)
      .map(storedEventFromRow),
  lastPosition: async (log) => log.rows.length,
};

export interface InMemoryEventLog extends EventStore, TransactionalStore<WriteTransaction> {
  /**
   * Runs `fn` with the store as its transaction, one at a time: a throw takes back every event it
   * appended (and whatever else recorded in the same undo log) and is re-thrown.
   */
  transaction<T>(fn: (tx: WriteTransaction) => Promise<T>, afterCommit?: () => void): Promise<T>;
}

/**
 * An EventStore in memory, for tests and tools that need no database: the same contract as
 * SQLite's and PostgreSQL's. Stores given the same `undo` log roll back with it.
 */
export const createInMemoryEventStore = (undo: UndoLog = createUndoLog()): InMemoryEventLog => {
  const log: Log = { rows: [], streams: new Map(), undo };
  const store = bindEventStore(log, operations);
  const tx: WriteTransaction = { events: store, savepoint: undo.savepoint };
  const exclusive = createMutex();
  return {
    ...store,
    transaction: async (fn, afterCommit) => {
      const result = await exclusive(() => undo.savepoint(() => fn(tx)));
      afterCommit?.();
      return result;
    },
  };
};
