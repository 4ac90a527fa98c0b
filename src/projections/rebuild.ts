import { startFold, touch } from '../events/evolve.js';
import { REPLACED_CONTENT, UNREAD_METADATA, type EventRecord, type StreamSummary } from '../events/event-store.js';
import type { StoredEvent } from '../events/event-types.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import { storedEventFromRow } from '../events/stored-event-row.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from '../events/profile-lookup.js';
import { readFingerprintKey } from './fingerprint-key-store.js';
import { stackFingerprintOf, withinRegistryFingerprint, writeAllRows, type FingerprintOf } from './project-registry.js';
import { loadRegistryState } from './load-registry-state.js';
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
/** The event at `version` of a stream, read back whole (the fold took its content or its metadata unread). */
const readEvent = async (tx: SqlExecutor, streamId: string, version: number): Promise<StoredEvent | undefined> => {
  const record = await tx.events.readRecord(streamId, version);
  return record && storedEventFromRow(record);
};

/** The state with the registry's stamp as the event at its version left it, when the fold took that event's metadata unread. */
const withStampRead = async (tx: SqlExecutor, state: RegistryState, stampUnread: boolean): Promise<RegistryState> => {
  if (!stampUnread) return state;
  const event = await readEvent(tx, state.slug, state.version);
  if (!event) throw new Error(`rebuild: ${state.slug} has no event at version ${state.version}`);
  return { ...state, stamp: touch(state.stamp, event) };
};

/**
 * A stream folded to its head: the registry's version is the stream's, and a profile whose last
 * content the fold left unread (REPLACED_CONTENT: see SegmentFoldEvents) gets it, and its stamp,
 * from its last content event, at the stream version `unread` names; the registry's stamp comes
 * from its last event if the fold took that event's metadata unread (UNREAD_METADATA).
 */
const endOfFold = async (
  tx: SqlExecutor,
  streamId: string,
  folded: RegistryState | undefined,
  streamVersion: number,
  unread: ReadonlyMap<string, number>,
  stampUnread: boolean,
): Promise<RegistryState | undefined> => {
  if (!folded) return undefined;
  let profiles = folded.profiles;
  for (const [slug, profile] of folded.profiles) {
    if (profile.content !== REPLACED_CONTENT) continue;
    const version = unread.get(slug);
    const event = version === undefined ? undefined : await readEvent(tx, streamId, version);
    if (event?.type !== 'profile.created' && event?.type !== 'profile.updated') throw new Error(`rebuild: ${streamId}/${slug} kept content it skipped`);
    if (profiles === folded.profiles) profiles = new Map(folded.profiles);
    (profiles as Map<string, ProfileState>).set(slug, { ...profile, content: event.data.content, stamp: touch(profile.stamp, event) });
  }
  return withStampRead(tx, { ...folded, version: streamVersion, profiles }, stampUnread);
};

/**
 * Recreates the projection tables from the events alone, in one transaction: every stream is
 * folded from its first event and written with the same code the inline projector uses, so the
 * rows come out byte-identical. With `tables` set, it fills a shadow copy instead (verify).
 */
export const rebuildProjections = async (db: SqlDatabase, options: RebuildOptions = {}): Promise<RebuildProgress> =>
  db.transaction((tx) => rebuildInTransaction(tx, { checkChainAside: db.checkChainAside?.bind(db), ...options }));

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
  const totalEvents = await tx.events.countEvents();
  const streams = (await tx.events.listStreams()).filter((stream) => stream.streamId !== SCHEMA_STREAM);
  await writeAllSchemaRows(tx, foldSchemaEvents(await tx.events.readStream(SCHEMA_STREAM)), tables);
  const progress: RebuildProgress = { events: 0, totalEvents, registries: 0 };
  const key = await readFingerprintKey(tx);
  const writeRows = async (state: RegistryState | undefined, fingerprintOf?: FingerprintOf) => {
    if (state) await writeAllRows(tx, state, fingerprintOf ?? withinRegistryFingerprint(key, state), tables);
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
    // A registry whose stacks stay inside it is written and then let go. One that stacks on others
    // waits for the end: its fingerprints need those registries, read back from the rows written here.
    const waiting = new Map<string, RegistryState>();
    for (const [streamId, { fold, version, unread, stampUnread }] of folds) {
      folds.delete(streamId);
      const state = await endOfFold(tx, streamId, fold.state, version, unread, stampUnread);
      const others = [...stackedRegistries(state)].filter((registry) => registry !== streamId);
      if (state && others.length > 0) waiting.set(streamId, state);
      else await writeRows(state);
    }
    const reachable = new Map<string, RegistryState | undefined>(waiting);
    const stackedOn = [...waiting.values()].flatMap((state) => [...stackedRegistries(state)]);
    await loadReachableStates(stackedOn, reachable, (registry) => loadRegistryState(tx, registry, tables));
    const acrossRegistries = stackFingerprintOf(key, lookupInStates(reachable));
    for (const state of waiting.values()) await writeRows(state, acrossRegistries);
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
