import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { startFold } from '../events/evolve.js';
import { REPLACED_CONTENT, UNREAD_METADATA, type EventRecord, type StreamSummary } from '../events/event-store.js';
import type { StoredEvent } from '../events/event-types.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import type { SqliteOptions } from '../events/sqlite/sqlite-dsn.js';
import { readFingerprintKey } from './fingerprint-key-store.js';
import { writeRegistryRowValues, type RegistryRowValues } from './project-registry.js';
import { finalRows, withStampRead, type FoldedStream } from './end-of-fold.js';
import { ROWS_ASIDE_FROM_EVENTS, startRegistryRowsAside, type RegistryRowsAside } from './registry-rows-aside.js';
import { LIVE_TABLES, projectionSchema, type ProjectionTables } from './projection-schema.js';
import { createSnapshotTaker, deleteSnapshots, sqlSnapshotStore } from '../events/snapshots.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import { snapshotSchema } from '../events/snapshot-schema.js';
import { convertSnapshots } from './convert-snapshots.js';
import { foldSchemaEvents, SCHEMA_STREAM } from '../events/schema-state.js';
import { writeAllSchemaRows } from './schema-projection.js';
import { readLogForFold } from '../events/sql/read-log-for-fold.js';
import { readInMappedWindows } from '../events/sql/read-in-mapped-windows.js';
import { describeChainBreak, startChainCheck, type ChainBreak } from '../events/verify-hash-chain.js';
import type { ChainCheckAside } from '../events/chain-segments.js';

export interface RebuildProgress {
  events: number;
  totalEvents: number;
  registries: number;
}

export interface RebuildOptions {
  tables?: ProjectionTables;
  onProgress?: (progress: RebuildProgress) => void;
  /** Events read per query while folding a stream. */
  chunkSize?: number;
  /**
   * Also rewrites the registry snapshots, every this many events (live tables only). Absent or 0
   * keeps them (they are folds of the events, not projections) but converts those of an earlier format.
   */
  snapshotEvery?: number;
  /**
   * Checks the hash chain in the same read of the log as the fold (see startChainCheck): a break
   * throws BrokenChainError, and the caller's transaction rolls back whatever was written.
   */
  checkChain?: boolean;
  /** With `checkChain`, checks the chain on another thread instead (SqlDatabase.checkChainAside). */
  checkChainAside?: () => ChainCheckAside;
  /**
   * Each chunk of the log as stored, in position order, before its events are folded: checks that
   * need every event's stored bytes (verify's seals) ride along the fold's one read of the log.
   */
  onRecords?: (records: readonly EventRecord[]) => Promise<void>;
  /** Each stream's state after each of its events (every event folded; replaced content unread, as for snapshots). */
  afterEvent?: (streamId: string, state: RegistryState) => void;
  /** Computes a share of the registries' rows on a worker reading the file this way (SqlDatabase.threadReader). */
  rowsAside?: SqliteOptions;
  /** With `rowsAside`, the smallest log that uses it (default ROWS_ASIDE_FROM_EVENTS). */
  rowsAsideFromEvents?: number;
  /** Told once when the rows' worker failed and its registries' rows were computed on the transaction's thread instead. */
  onRowsAsideFailed?: (error: unknown) => void;
}

/** The rebuild's own chain check found a break (see `checkChain`). */
export class BrokenChainError extends Error {
  constructor(readonly broken: ChainBreak) {
    super(`the hash chain is broken at ${describeChainBreak(broken)}`);
  }
}

/**
 * Most events of a long history are edits that a later event of the same profile replaces: such an
 * update changes nothing that survives (its content, version and stamp are all replaced, and it is
 * never the stream's last event), so the fold does not read it, and of a creation that is edited
 * later it reads only the head (see `readLatestContent`). The registry's version is then the
 * stream's. A fold that hands on every state (snapshots, `afterEvent`) folds every event with the
 * content of replaced versions left unread (REPLACED_CONTENT): what a snapshot holds of a profile
 * is its version and stamp, not its content. Reading and parsing every version's content made the
 * CLI's rebuild, which rewrites the snapshots, 5x slower than one that does not (most of it the
 * garbage collector's).
 */
/**
 * Recreates the projection tables from the events alone, in one transaction: every stream is
 * folded from its first event and written with the same code the inline projector uses, so the
 * rows come out byte-identical. With `tables` set, it fills a shadow copy instead (verify).
 */
export const rebuildProjections = async (db: SqlDatabase, options: RebuildOptions = {}): Promise<RebuildProgress> =>
  db.transaction((tx) => rebuildInTransaction(tx, { checkChainAside: db.checkChainAside?.bind(db), rowsAside: db.threadReader, ...options }));

/** A chunk of what a rebuild folds: the events (undefined: left out), how many of the log it read, and the stored rows when the chain is checked. */
interface FoldChunk {
  events: (StoredEvent | undefined)[];
  read: number;
  records?: EventRecord[];
}

/**
 * The whole log in position order, each event's stored bytes with it, when the chain is checked
 * in the same read; else each stream by itself (readLatestContent), where replaced content is
 * never read out of the database (a third less time for a rebuild that checks nothing).
 */
async function* streamByStream(tx: SqlExecutor, streams: StreamSummary[], chunkSize: number, keepReplaced: boolean): AsyncIterable<FoldChunk> {
  for (const { streamId, version } of streams) {
    let folded = 0;
    for await (const chunk of tx.events.readLatestContent(streamId, { toVersion: version, chunkSize, keepReplaced })) {
      yield { events: chunk.events, read: chunk.toVersion - folded };
      folded = chunk.toVersion;
    }
  }
}

/** rebuildProjections inside a transaction the caller holds (verify compares in the same one). */
export const rebuildInTransaction = async (tx: SqlExecutor, options: RebuildOptions = {}): Promise<RebuildProgress> => {
  const totalEvents = await tx.events.countEvents();
  // not for verify's shadow tables: its RSS is near the limit already
  const rowsAside =
    options.rowsAside && !options.tables && totalEvents >= (options.rowsAsideFromEvents ?? ROWS_ASIDE_FROM_EVENTS) ? startRegistryRowsAside(options.rowsAside) : undefined;
  try {
    return await rebuildWith(tx, options, totalEvents, rowsAside);
  } finally {
    await rowsAside?.stop();
  }
};

const rebuildWith = async (
  tx: SqlExecutor,
  options: RebuildOptions,
  totalEvents: number,
  rowsAside: RegistryRowsAside | undefined,
): Promise<RebuildProgress> => {
  const tables = options.tables ?? LIVE_TABLES;
  // 500 events of ~4 KB die young (see verifyHashChain)
  const chunkSize = options.chunkSize ?? 500;
  const snapshotEvery = options.tables ? 0 : (options.snapshotEvery ?? 0);
  const takeSnapshot = createSnapshotTaker(snapshotEvery);
  const stored = sqlSnapshotStore(tx);
  await tx.exec(projectionSchema(tx.flavour, tables));
  for (const table of [tables.headers, tables.documents, tables.tombstones, tables.stackRefs, tables.schemas]) {
    await tx.run(`DELETE FROM ${table}`);
  }
  if (snapshotEvery > 0) {
    await tx.exec(snapshotSchema(tx.flavour));
    await deleteSnapshots(tx);
  } else if (!options.tables) await convertSnapshots(tx); // snapshots of earlier formats, in the current one
  const streams = (await tx.events.listStreams()).filter((stream) => stream.streamId !== SCHEMA_STREAM);
  await writeAllSchemaRows(tx, foldSchemaEvents(await tx.events.readStream(SCHEMA_STREAM)), tables);
  const progress: RebuildProgress = { events: 0, totalEvents, registries: 0 };
  const key = await readFingerprintKey(tx);
  const writeRows = async (rows: RegistryRowValues | undefined) => {
    // the tables were emptied above
    if (rows) await writeRegistryRowValues(tx, rows, tables, { intoEmpty: true });
    progress.registries += 1;
    options.onProgress?.({ ...progress });
  };
  // Every stream is folded to its recorded head; a snapshot is taken as a stream's version passes one.
  const folds = new Map(
    streams.map(({ streamId, version }) => [
      streamId,
      { fold: startFold(undefined, streamId), version, unread: new Map<string, number>(), stampUnread: false },
    ]),
  );
  // a snapshot keeps the registry's stamp: read back where the fold took its event's metadata unread
  const snapshots: SnapshotStore = {
    ...stored,
    write: async (state) => stored.write(await withStampRead(tx, state, folds.get(state.slug)?.stampUnread ?? false)),
  };
  // the chain checked on other threads where the database can, which hand the fold its events as
  // they read them (one read of the log), else in the fold's read, event by event; verify's seal
  // checks need the stored rows here, and a fold that hands on every state the events whole
  const aside = options.checkChain && !options.onRecords && !options.afterEvent ? options.checkChainAside?.() : undefined;
  // events that cannot be folded are a broken chain's to name, as when the check reads first
  const brokenOr = async (error: unknown) => {
    const broken = await aside?.verdict().catch(() => undefined);
    return broken ? new BrokenChainError(broken) : error;
  };
  const chain = options.checkChain && !aside ? startChainCheck() : undefined;
  const keepReplaced = snapshotEvery > 0 || options.afterEvent !== undefined;
  // not for verify's shadow tables: its RSS is near the limit already, with the records it keeps
  const mapped = options.tables ? undefined : readInMappedWindows(tx);
  const source = aside
    ? aside.foldEvents(tx, { chunkSize, onEvents: (count) => mapped?.read(count) })
    : options.checkChain || options.onRecords
      ? readLogForFold(tx, { chunkSize, keepReplaced })
      : streamByStream(tx, streams, chunkSize, keepReplaced);
  try {
    for await (const chunk of source) {
      if (!aside) await mapped?.read(chunk.read);
      if (chunk.records) await options.onRecords?.(chunk.records);
      for (let index = 0; index < chunk.events.length; index += 1) {
        const record = chunk.records?.[index];
        const broken = record && chain?.next(record);
        if (broken) throw new BrokenChainError(broken);
        const event = chunk.events[index];
        const folding = event && folds.get(event.stream_id);
        if (!event || !folding || event.stream_version > folding.version) continue;
        folding.fold.apply(event);
        folding.stampUnread = event.metadata === UNREAD_METADATA;
        if ((event.type === 'profile.created' || event.type === 'profile.updated') && event.data.content === REPLACED_CONTENT) {
          folding.unread.set(event.data.profile, event.stream_version);
        }
        options.afterEvent?.(event.stream_id, folding.fold.state as RegistryState);
        if (snapshotEvery > 0) await takeSnapshot(snapshots, folding.fold.state as RegistryState);
      }
      progress.events += chunk.read;
      options.onProgress?.({ ...progress });
    }
  } catch (error) {
    throw await brokenOr(error);
  } finally {
    await mapped?.end();
  }
  const broken = chain?.end(await tx.events.listStreams());
  if (broken) throw new BrokenChainError(broken);
  const writeFolded = async () => {
    const folded = new Map<string, FoldedStream>([...folds].map(([streamId, { fold, ...stream }]) => [streamId, { state: fold.state, ...stream }]));
    folds.clear();
    const rowsOf = finalRows(tx, key, folded);
    // a share of the registries' rows computed on a worker meanwhile (the rebuild's tail: its
    // last contents read back, fingerprints, documents, ETags), the rest here; all written here,
    // the worker's as they come in (those of a worker that failed computed here)
    const shared = rowsAside?.share(folded, key, rowsOf, options.onRowsAsideFailed);
    for (const streamId of folded.keys()) {
      if (shared?.taken.has(streamId)) continue;
      await writeRows(await rowsOf(streamId));
      if (shared) await yieldToEventLoop(); // the worker's messages come in
      while (shared?.ready()) await writeRows(await shared.next());
    }
    for (let rows = shared?.next(); rows; rows = shared?.next()) await writeRows(await rows);
  };
  // with the check aside, the rows are written while its last segments are checked (a break found
  // after rolls them back with the transaction)
  try {
    await writeFolded();
  } catch (error) {
    throw await brokenOr(error);
  }
  const brokenAside = await aside?.verdict();
  if (brokenAside) throw new BrokenChainError(brokenAside);
  return progress;
};
