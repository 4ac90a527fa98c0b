import { chainEvents, storedEventOf } from '../chain-events.js';
import { GENESIS_HASH } from '../event-hash.js';
import { bindEventStore, type EventStore, type EventStoreOperations } from '../event-store.js';
import { createMutex } from '../sql-database.js';
import { storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

type Row = StoredEventRow & { position: number; stream_version: number; occurred_at_ms: number };

/** The log: rows in position order, and each stream's rows in version order. */
interface Log {
  rows: Row[];
  streams: Map<string, Row[]>;
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

export interface InMemoryEventLog extends EventStore {
  /**
   * Runs `fn` with the store as its transaction: one at a time; a throw takes back every event it
   * appended and is re-thrown.
   */
  transaction<T>(fn: (store: EventStore) => Promise<T>): Promise<T>;
}

/** An EventStore in memory, for tests and tools that need no database: the same contract as SQLite's and PostgreSQL's. */
export const createInMemoryEventStore = (): InMemoryEventLog => {
  const log: Log = { rows: [], streams: new Map() };
  const store = bindEventStore(log, operations);
  const exclusive = createMutex();
  return {
    ...store,
    transaction: (fn) =>
      exclusive(async () => {
        const length = log.rows.length;
        try {
          return await fn(store);
        } catch (error) {
          for (const row of log.rows.splice(length)) log.streams.get(row.stream_id)?.pop();
          throw error;
        }
      }),
  };
};
