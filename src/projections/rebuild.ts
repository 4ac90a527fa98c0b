import { startFold } from '../events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventMetadata, type EventType } from '../events/event-types.js';
import { profileOfData, profileVersionOfData } from '../events/read-profile-events.js';
import { storedEventFromRow, type StoredEventRow } from '../events/stored-event-row.js';
import type { ProfileContent } from '../domain/profile.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from '../events/profile-lookup.js';
import { stackFingerprintOf, writeAllRows, type FingerprintOf } from './project-registry.js';
import { loadRegistryState } from './load-registry-state.js';
import { LIVE_TABLES, projectionSchema, type ProjectionTables } from './projection-schema.js';
import { createSnapshotTaker, deleteSnapshots, sqlSnapshotStore } from '../events/snapshots.js';
import { snapshotSchema } from '../events/snapshot-schema.js';
import { convertSnapshots } from './convert-snapshots.js';
import { foldSchemaEvents, SCHEMA_STREAM } from '../events/schema-state.js';
import { writeAllSchemaRows } from './schema-projection.js';

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
}

/** Events between two progress reports inside a long stream. */
const PROGRESS_EVERY = 5000;

/** Folds one stream from its first event, in chunks, handing each intermediate state to `afterEvent` (valid until it returns). */
export const foldStream = async (
  tx: SqlExecutor,
  streamId: string,
  chunkSize: number,
  afterEvent?: (state: RegistryState) => Promise<void>,
): Promise<RegistryState | undefined> => {
  const fold = startFold(undefined, streamId);
  for (let from = 1; ; from += chunkSize) {
    const events = await tx.events.readStream(streamId, { fromVersion: from, toVersion: from + chunkSize - 1 });
    for (const event of events) {
      fold.apply(event);
      await afterEvent?.(fold.state as RegistryState);
    }
    if (events.length < chunkSize) return fold.state;
  }
};

const CONTENT_EVENTS = "('profile.created', 'profile.updated')";
const SUPERSEDED = Object.freeze({}) as ProfileContent;
/** What the rebuild reads of a superseded content event's data (the rest of the row is its head too). */
interface EventHead {
  head_profile: string | null;
  head_version: number | string | null;
}
/** Only events of the current shape are read by their head, `profile` and `version` (an older one goes through its upcaster). */
const CURRENT_CONTENT_EVENTS = `((type = 'profile.created' AND schema_version = ${CURRENT_SCHEMA_VERSION['profile.created']})
  OR (type = 'profile.updated' AND schema_version = ${CURRENT_SCHEMA_VERSION['profile.updated']}))`;

/**
 * The final state of a stream, folded from the events it depends on. Most events of a long history
 * are edits that a later event of the same profile replaces: such an update changes nothing that
 * survives (its content, version and stamp are all replaced, and it is never the stream's last
 * event), so it is not read at all, and of a creation that is edited later only its head is read
 * (who made it and when, and the profile and version its data names, taken out of the JSON inside
 * the database whatever the order of its keys; its content stays there). Every other event is
 * read and folded as usual; the registry's version is then the stream's.
 */
const foldStreamToEnd = async (
  tx: SqlExecutor,
  streamId: string,
  chunkSize: number,
  onEvents: (count: number) => void,
): Promise<RegistryState | undefined> => {
  const lastContent = await tx.all<{ version: number | string }>(
    `SELECT MAX(stream_version) AS version FROM events WHERE stream_id = $1 AND type IN ${CONTENT_EVENTS}
     GROUP BY ${profileOfData(tx.flavour)}`,
    [streamId],
  );
  const neededVersions = lastContent.map((row) => Number(row.version));
  const needed = new Set(neededVersions);
  const isNeeded = tx.flavour.integerIn('stream_version', '$4');
  const neededParam = tx.flavour.integerListParam(neededVersions);
  const streamVersion = (await tx.events.streamHead(streamId)).version;
  const fold = startFold(undefined, streamId);
  const superseded = `${CURRENT_CONTENT_EVENTS} AND NOT (${isNeeded})`;
  for (let from = 1; from <= streamVersion; from += chunkSize) {
    const to = Math.min(from + chunkSize - 1, streamVersion);
    const rows = await tx.all<StoredEventRow & EventHead>(
      `SELECT position, stream_id, stream_version, type, schema_version, metadata_json, prev_hash, hash,
         CASE WHEN ${superseded} THEN NULL ELSE data_json END AS data_json,
         CASE WHEN ${superseded} THEN ${profileOfData(tx.flavour)} END AS head_profile,
         CASE WHEN ${superseded} THEN ${profileVersionOfData(tx.flavour)} END AS head_version
       FROM events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
         AND NOT (type = 'profile.updated' AND NOT (${isNeeded}))
       ORDER BY stream_version`,
      [streamId, from, to, neededParam],
    );
    for (const row of rows) {
      const isSuperseded =
        !needed.has(Number(row.stream_version)) &&
        (row.type === 'profile.created' || row.type === 'profile.updated') &&
        row.schema_version === CURRENT_SCHEMA_VERSION[row.type as EventType];
      if (isSuperseded && (typeof row.head_profile !== 'string' || row.head_version === null)) {
        throw new Error(`rebuild: the event at position ${row.position} names no profile and version`);
      }
      const event = isSuperseded
        ? ({
            type: row.type,
            schema_version: row.schema_version,
            data: { profile: row.head_profile, version: Number(row.head_version), content: SUPERSEDED },
            metadata: JSON.parse(row.metadata_json) as EventMetadata,
          } as DomainEvent)
        : storedEventFromRow(row);
      fold.apply(event);
    }
    onEvents(to - from + 1);
  }
  const state = fold.state && { ...fold.state, version: streamVersion };
  for (const [slug, profile] of state?.profiles ?? []) {
    if (profile.content === SUPERSEDED) throw new Error(`rebuild: ${streamId}/${slug} kept content it skipped`);
  }
  return state;
};

/**
 * Recreates the projection tables from the events alone, in one transaction: every stream is
 * folded from its first event and written with the same code the inline projector uses, so the
 * rows come out byte-identical. With `tables` set, it fills a shadow copy instead (verify).
 */
export const rebuildProjections = async (db: SqlDatabase, options: RebuildOptions = {}): Promise<RebuildProgress> =>
  db.transaction((tx) => rebuildInTransaction(tx, options));

/** rebuildProjections inside a transaction the caller holds (verify compares in the same one). */
export const rebuildInTransaction = async (tx: SqlExecutor, options: RebuildOptions = {}): Promise<RebuildProgress> => {
  const tables = options.tables ?? LIVE_TABLES;
  const chunkSize = options.chunkSize ?? 5000;
  const snapshotEvery = options.tables ? 0 : (options.snapshotEvery ?? 0);
  const takeSnapshot = createSnapshotTaker(snapshotEvery);
  const snapshots = sqlSnapshotStore(tx);
  await tx.exec(projectionSchema(tx.flavour, tables));
  for (const table of [tables.headers, tables.documents, tables.tombstones, tables.stackRefs, tables.schemas]) {
    await tx.run(`DELETE FROM ${table}`);
  }
  if (snapshotEvery > 0) {
    await tx.exec(snapshotSchema(tx.flavour));
    await deleteSnapshots(tx);
  } else if (!options.tables) await convertSnapshots(tx); // snapshots of earlier formats, in the current one
  const total = await tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM events');
  const streams = await tx.all<{ stream_id: string }>('SELECT stream_id FROM streams WHERE stream_id <> $1 ORDER BY stream_id', [
    SCHEMA_STREAM,
  ]);
  await writeAllSchemaRows(tx, foldSchemaEvents(await tx.events.readStream(SCHEMA_STREAM)), tables);
  const progress: RebuildProgress = { events: 0, totalEvents: Number(total?.n ?? 0), registries: 0 };
  const writeRows = async (state: RegistryState | undefined, fingerprintOf?: FingerprintOf) => {
    if (state) await writeAllRows(tx, state, fingerprintOf, tables);
    progress.registries += 1;
    options.onProgress?.({ ...progress });
  };
  // A registry whose stacks stay inside it is written as soon as it is folded and then let go,
  // so memory holds one registry at a time. One that stacks on others waits for the end: its
  // fingerprints need those registries, read back from the rows written here.
  const waiting = new Map<string, RegistryState>();
  for (const { stream_id: streamId } of streams) {
    const countEvent = async (next: RegistryState) => {
      progress.events += 1;
      if (progress.events % PROGRESS_EVERY === 0) options.onProgress?.({ ...progress });
      await takeSnapshot(snapshots, next);
    };
    const state =
      snapshotEvery > 0
        ? await foldStream(tx, streamId, chunkSize, countEvent)
        : await foldStreamToEnd(tx, streamId, chunkSize, (count) => {
            progress.events += count;
            options.onProgress?.({ ...progress });
          });
    const others = [...stackedRegistries(state)].filter((registry) => registry !== streamId);
    if (state && others.length > 0) waiting.set(streamId, state);
    else await writeRows(state);
  }
  const reachable = new Map<string, RegistryState | undefined>(waiting);
  const stackedOn = [...waiting.values()].flatMap((state) => [...stackedRegistries(state)]);
  await loadReachableStates(stackedOn, reachable, (registry) => loadRegistryState(tx, registry, tables));
  const acrossRegistries = stackFingerprintOf(lookupInStates(reachable));
  for (const state of waiting.values()) await writeRows(state, acrossRegistries);
  return progress;
};
