import { chainEvents, storedEventOf } from '../chain-events.js';
import { GENESIS_HASH } from '../event-hash.js';
import { bindEventStore, REPLACED_CONTENT, type EventStore, type EventStoreOperations, type StreamEnd } from '../event-store.js';
import { CURRENT_SCHEMA_VERSION, type EventType, type StoredEvent } from '../event-types.js';
import { createMutex } from '../sql-database.js';
import { eventRecordFromRow, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import type { TransactionalStore, WriteTransaction } from '../write-transaction.js';
import { createUndoLog, type UndoLog } from './undo-log.js';

type Row = StoredEventRow & { position: number; stream_version: number; occurred_at_ms: number };

/** The log: rows in position order, and each stream's rows in version order; appends are recorded in `undo`. */
interface Log {
  rows: Row[];
  streams: Map<string, Row[]>;
  undo: UndoLog;
}

const VERSION_EVENTS = new Set(['profile.created', 'profile.updated', 'profile.deleted']);
const CONTENT_EVENTS = new Set(['profile.created', 'profile.updated']);

/** The profile and profile version an event's data names, as the databases' profile index reads them. */
const profileOf = (row: Row): { profile?: unknown; version?: unknown } => JSON.parse(row.data_json) as { profile?: unknown; version?: unknown };

const byStreamId = <T extends { streamId: string }>(a: T, b: T): number => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0);

const operations: EventStoreOperations<Log> = {
  streamHead: async (log, streamId) => {
    const last = log.streams.get(streamId)?.at(-1);
    return last ? { version: last.stream_version, hash: last.hash } : { version: 0, hash: GENESIS_HASH };
  },
  appendToStream: async (log, streamId, expectedVersion, events) => {
    const chained = chainEvents(streamId, await operations.streamHead(log, streamId), expectedVersion, events, log.rows.length + 1);
    const stream = log.streams.get(streamId) ?? [];
    log.streams.set(streamId, stream);
    return chained.map((event) => {
      // stored as the databases store it: the same bytes come back parsed and upcast
      const { event: _, ...columns } = event;
      const row: Row = columns;
      log.rows.push(row);
      stream.push(row);
      log.undo.record(() => {
        log.rows.pop();
        stream.pop();
      });
      return storedEventOf(event);
    });
  },
  readStream: async (log, streamId, options = {}) => {
    const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, untilMs = Number.MAX_SAFE_INTEGER, limit, backwards = false, profiles } = options;
    const rows = (log.streams.get(streamId) ?? []).filter(
      (row) =>
        row.stream_version >= fromVersion &&
        row.stream_version <= toVersion &&
        row.occurred_at_ms <= untilMs &&
        (profiles === undefined ||
          !row.type.startsWith('profile.') ||
          profiles.some(([profile, from]) => profileOf(row).profile === profile && (profileOf(row).version as number) >= from)),
    );
    // of each profile's updates, the last only (see ReadStreamOptions.profiles)
    const lastUpdate = new Map<unknown, number>();
    if (profiles !== undefined) for (const row of rows) if (row.type === 'profile.updated') lastUpdate.set(profileOf(row).profile, row.stream_version);
    const read = profiles === undefined ? rows : rows.filter((row) => row.type !== 'profile.updated' || lastUpdate.get(profileOf(row).profile) === row.stream_version);
    if (backwards) read.reverse();
    return read.slice(0, limit).map(storedEventFromRow);
  },
  readAll: async (log, { after = 0, limit = 1000, streamId, types } = {}) =>
    log.rows
      .slice(after)
      .filter((row) => (streamId === undefined || row.stream_id === streamId) && (types === undefined || types.includes(row.type as EventType)))
      .slice(0, limit)
      .map(storedEventFromRow),
  readRecords: async (log, { after = 0, limit = 1000 } = {}) => log.rows.slice(after, after + limit).map(eventRecordFromRow),
  readRecord: async (log, streamId, version) => {
    const row = log.streams.get(streamId)?.[version - 1];
    return row ? eventRecordFromRow(row) : undefined;
  },
  readHashes: async (log, positions) =>
    new Map(positions.flatMap((position) => (log.rows[position - 1] ? [[position, log.rows[position - 1].hash] as const] : []))),
  readProfileEvents: async (log, streamId, profile, { beforeVersion, last } = {}) => {
    const rows = (log.streams.get(streamId) ?? []).filter(
      (row) =>
        VERSION_EVENTS.has(row.type) &&
        profileOf(row).profile === profile &&
        (beforeVersion === undefined || (profileOf(row).version as number) < beforeVersion),
    );
    return rows.slice(last === undefined ? 0 : Math.max(0, rows.length - last)).map(storedEventFromRow);
  },
  readProfileEventsAt: async (log, streamId, versions) => {
    const wanted = new Set(versions.map(([profile, version]) => JSON.stringify([profile, version])));
    return (log.streams.get(streamId) ?? [])
      .filter((row) => VERSION_EVENTS.has(row.type) && wanted.has(JSON.stringify([profileOf(row).profile, profileOf(row).version])))
      .map(storedEventFromRow);
  },
  readLatestContent: async function* (log, streamId, { toVersion, chunkSize, keepReplaced = false }) {
    const stream = log.streams.get(streamId) ?? [];
    const latest = new Map<unknown, number>();
    for (const row of stream) if (CONTENT_EVENTS.has(row.type)) latest.set(profileOf(row).profile, row.stream_version);
    const isLatest = (row: Row) => latest.get(profileOf(row).profile) === row.stream_version;
    for (let from = 1; from <= toVersion; from += chunkSize) {
      const to = Math.min(from + chunkSize - 1, toVersion);
      const events = stream
        .slice(from - 1, to)
        .filter((row) => keepReplaced || row.type !== 'profile.updated' || isLatest(row))
        .map((row): StoredEvent => {
          const event = storedEventFromRow(row);
          const replaced = CONTENT_EVENTS.has(row.type) && row.schema_version === CURRENT_SCHEMA_VERSION[row.type as EventType] && !isLatest(row);
          return replaced ? ({ ...event, data: { ...event.data, content: REPLACED_CONTENT } } as StoredEvent) : event;
        });
      yield { events, toVersion: to };
    }
  },
  streamsNamingProfile: async (log, profile) =>
    [...log.streams].filter(([, rows]) => rows.some((row) => VERSION_EVENTS.has(row.type) && profileOf(row).profile === profile)).map(([id]) => id),
  streamVersionAt: async (log, streamId, atMs) => {
    const rows = (log.streams.get(streamId) ?? []).filter((row) => row.occurred_at_ms <= atMs);
    const lastTime = Math.max(...rows.map((row) => row.occurred_at_ms));
    return Math.max(0, ...rows.filter((row) => row.occurred_at_ms === lastTime).map((row) => row.stream_version));
  },
  streamVersionAtPosition: async (log, streamId, position) =>
    Math.max(0, ...(log.streams.get(streamId) ?? []).filter((row) => row.position <= position).map((row) => row.stream_version)),
  listStreams: async (log) =>
    [...log.streams]
      .flatMap(([streamId, rows]) => {
        const last = rows.at(-1);
        return last ? [{ streamId, version: last.stream_version, hash: last.hash, lastPosition: last.position }] : [];
      })
      .sort(byStreamId),
  readStreamEnds: async (log) =>
    [...log.streams]
      .flatMap(([streamId, rows]): StreamEnd[] => {
        const last = rows.at(-1);
        return last ? [{ streamId, head: { version: last.stream_version, hash: last.hash }, headEvent: eventRecordFromRow(last), lastVersion: last.stream_version }] : [];
      })
      .sort(byStreamId),
  lastPosition: async (log) => log.rows.length,
  countEvents: async (log) => log.rows.length,
  // a taken-back append gives its positions out again: no number outlives the events
  lastPositionHandedOut: async () => undefined,
};

export interface InMemoryEventLog extends EventStore, TransactionalStore<WriteTransaction<EventStore>> {
  /**
   * Runs `fn` with the store as its transaction, one at a time: a throw takes back every event it
   * appended (and whatever else recorded in the same undo log) and is re-thrown.
   */
  transaction<T>(fn: (tx: WriteTransaction<EventStore>) => Promise<T>, afterCommit?: () => void): Promise<T>;
}

/**
 * An EventStore in memory, for tests and tools that need no database: the same contract as
 * SQLite's and PostgreSQL's. Stores given the same `undo` log roll back with it.
 */
export const createInMemoryEventStore = (undo: UndoLog = createUndoLog()): InMemoryEventLog => {
  const log: Log = { rows: [], streams: new Map(), undo };
  const store = bindEventStore(log, operations);
  const tx: WriteTransaction<EventStore> = { events: store, savepoint: undo.savepoint };
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
