import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { dropProjectionTables, LIVE_TABLES, shadowTables, type ProjectionTables } from './projection-schema.js';
import { rebuildInTransaction, type RebuildOptions } from './rebuild.js';
import type { RegistryState } from '../events/registry-state.js';
import { readSnapshot, SNAPSHOT_FORMAT, snapshotFormatOf, snapshotJson } from '../events/snapshots.js';
import { SNAPSHOT_TABLE } from '../events/snapshot-schema.js';
import { SCHEMA_STREAM } from '../events/schema-state.js';

export interface ProjectionMismatch {
  registry: string;
  detail: string;
  /**
   * The projection holds a version the events no longer reach: it saw events that are gone (or
   * it was forged to look so). A rebuild would erase that evidence, so it is an event-level cause.
   */
  ahead?: boolean;
}

type TableName = Exclude<keyof ProjectionTables, 'temporary'>;

interface TableCheck {
  table: TableName;
  columns: string;
  key: (row: Record<string, unknown>) => string;
  /** The columns of the table's key, to page through it. */
  order: string;
  registry: (row: Record<string, unknown>) => string;
}

const CHECKS: TableCheck[] = [
  {
    table: 'registries',
    order: 'slug',
    columns: 'slug, payload_text, updated_at_ms, version',
    key: (row) => String(row.slug),
    registry: (row) => String(row.slug),
  },
  {
    table: 'headers',
    order: 'slug',
    columns: 'slug, header_json, metadata_json, updated_at_ms, version, summary_json',
    key: (row) => String(row.slug),
    registry: (row) => String(row.slug),
  },
  {
    table: 'documents',
    order: 'registry, slug',
    columns: 'registry, slug, version, etag, is_default, fingerprint, stored_json, signature_json',
    key: (row) => `${String(row.registry)}/${String(row.slug)}`,
    registry: (row) => String(row.registry),
  },
  {
    table: 'tombstones',
    order: 'registry, slug',
    columns: 'registry, slug, version',
    key: (row) => `${String(row.registry)}/${String(row.slug)}`,
    registry: (row) => String(row.registry),
  },
  {
    // the stack dependents index: a decision reads it (a delete refused while others stack on it)
    table: 'stackRefs',
    order: 'registry, profile, ref_registry, ref_profile',
    columns: 'registry, profile, ref_registry, ref_profile',
    key: (row) => `${String(row.registry)}/${String(row.profile)} -> ${String(row.ref_registry)}/${String(row.ref_profile)}`,
    registry: (row) => String(row.registry),
  },
  {
    table: 'schemas',
    order: 'kind, name',
    columns: 'kind, name, version, document_json, metadata_json',
    key: (row) => `${String(row.kind)}/${String(row.name)}`,
    registry: () => SCHEMA_STREAM,
  },
];

type Rows = Map<string, { digest: string; registry: string; version: number }>;

const ROWS_PAGE = 1000;

/**
 * A table's rows by key, each as a digest of its columns: the documents of 10,000 profiles are
 * tens of megabytes twice over (live and rebuilt), their digests a megabyte. Read a page at a
 * time, each page after the last key of the one before (an OFFSET reads every row it skips).
 */
const rowsByKey = async (executor: SqlExecutor, table: string, check: TableCheck): Promise<Rows> => {
  const rows: Rows = new Map();
  const keyColumns = check.order.split(', ');
  const after = `(${check.order}) > (${keyColumns.map((_, index) => `$${index + 1}`).join(', ')})`;
  for (let last: unknown[] | undefined; ; ) {
    const page = await executor.all<Record<string, unknown>>(
      `SELECT ${check.columns} FROM ${table} ${last ? `WHERE ${after}` : ''} ORDER BY ${check.order} LIMIT ${ROWS_PAGE}`,
      last,
    );
    for (const row of page) {
      const digest = createHash('sha256').update(JSON.stringify(row)).digest('base64');
      // rows without a version (the stack index) are never ahead of the events
      rows.set(check.key(row), { digest, registry: check.registry(row), version: Number(row.version ?? 0) });
    }
    if (page.length < ROWS_PAGE) return rows;
    last = keyColumns.map((column) => page[page.length - 1][column]);
  }
};

/** The latest version the events give a key of a table: a profile lives on as its tombstone, a registry as its stream. */
const versionOfEvents = async (executor: SqlExecutor, check: TableCheck, key: string, rebuilt: Rows, rebuiltTombstones: Rows) => {
  const own = rebuilt.get(key)?.version;
  if (own !== undefined) return own;
  if (check.table === 'documents') return rebuiltTombstones.get(key)?.version ?? 0;
  if (check.table === 'tombstones') return 0;
  return (await executor.events.streamHead(key)).version;
};

const compareTables = async (executor: SqlExecutor, shadow: ProjectionTables): Promise<ProjectionMismatch[]> => {
  const mismatches: ProjectionMismatch[] = [];
  const rebuiltTombstones = await rowsByKey(executor, shadow.tombstones, CHECKS[3]);
  for (const check of CHECKS) {
    const table = LIVE_TABLES[check.table];
    const live = await rowsByKey(executor, table, check);
    const rebuilt = await rowsByKey(executor, shadow[check.table], check);
    const keys = [...new Set([...live.keys(), ...rebuilt.keys()])].sort();
    for (const key of keys) {
      const liveRow = live.get(key);
      const rebuiltRow = rebuilt.get(key);
      if (liveRow?.digest === rebuiltRow?.digest) continue;
      const registry = (liveRow ?? rebuiltRow)!.registry;
      const eventsVersion = liveRow ? await versionOfEvents(executor, check, key, rebuilt, rebuiltTombstones) : 0;
      if (liveRow && liveRow.version > eventsVersion) {
        mismatches.push({
          registry,
          ahead: true,
          detail: `${table} row "${key}" is at version ${liveRow.version} but the events end at version ${eventsVersion}: events it saw are missing`,
        });
        continue;
      }
      const what = !liveRow ? 'is missing' : !rebuiltRow ? 'should not exist' : 'differs from the events';
      mismatches.push({ registry, detail: `${table} row "${key}" ${what}` });
    }
  }
  return mismatches;
};

/** A snapshot's bytes without the key order of whichever code wrote it, digested (a registry's snapshots are kept by their digests). */
const snapshotDigest = (parsed: unknown): string => createHash('sha256').update(canonicalJson(parsed)).digest('base64');

interface SnapshotsOfStream {
  digests: Map<number, string>;
  last: number;
  /** The first snapshot that cannot be read, which ends the stream's check. */
  unreadable?: string;
  /** The first version whose snapshot is not the fold's state there. */
  differs?: number;
}

/**
 * Every snapshot must equal the fold of its stream up to its version (reads of the past trust
 * them). A snapshot names each profile's version (its content is that event's): the fold's state
 * at that version is written the same way and compared, so memory holds a digest per snapshot, not
 * every snapshot's whole state. `afterEvent` takes each state of the rebuild's fold; `end` names the
 * first registry, in order, whose snapshots are wrong.
 */
const startSnapshotCheck = async (tx: SqlExecutor) => {
  const streams = new Map<string, SnapshotsOfStream>();
  for (const { stream_id: registry } of await tx.all<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM ${SNAPSHOT_TABLE} ORDER BY stream_id`)) {
    const rows = await tx.all<{ stream_version: number | string; state_json: string }>(
      `SELECT stream_version, state_json FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1 ORDER BY stream_version`,
      [registry],
    );
    const stream: SnapshotsOfStream = { digests: new Map(), last: 0 };
    streams.set(registry, stream);
    for (const row of rows) {
      let parsed: object;
      try {
        parsed = JSON.parse(row.state_json) as object;
      } catch (error) {
        stream.unreadable = `snapshot at version ${row.stream_version} cannot be read: ${(error as Error).message}`;
        break;
      }
      if (snapshotFormatOf(parsed) !== SNAPSHOT_FORMAT) {
        stream.unreadable = `snapshot at version ${row.stream_version} is of an earlier format, which reads no longer use`;
        break;
      }
      stream.digests.set(Number(row.stream_version), snapshotDigest(parsed));
      stream.last = Math.max(stream.last, Number(row.stream_version));
    }
  }
  return {
    afterEvent: (streamId: string, state: RegistryState): void => {
      const stream = streams.get(streamId);
      if (!stream || stream.unreadable !== undefined || stream.differs !== undefined) return;
      const saved = stream.digests.get(state.version);
      if (saved !== undefined && saved !== snapshotDigest(JSON.parse(snapshotJson(state)))) stream.differs = state.version;
    },
    end: async (): Promise<ProjectionMismatch | undefined> => {
      for (const [registry, stream] of streams) {
        if (stream.unreadable !== undefined) return { registry, detail: stream.unreadable };
        if (stream.differs !== undefined) {
          const saved = await tx.get<{ state_json: string }>(`SELECT state_json FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1 AND stream_version = $2`, [
            registry,
            stream.differs,
          ]);
          // one that names a version no event made cannot even be read back: say so
          try {
            await readSnapshot(tx, saved!.state_json);
          } catch (error) {
            return { registry, detail: `snapshot at version ${stream.differs} cannot be read: ${(error as Error).message}` };
          }
          return { registry, detail: `snapshot at version ${stream.differs} differs from the events` };
        }
        const head = await tx.events.streamHead(registry);
        if (stream.digests.size > 0 && head.version < stream.last) {
          return { registry, ahead: true, detail: `snapshot at version ${stream.last} is past the last event (version ${head.version}): events it saw are missing` };
        }
      }
      return undefined;
    },
  };
};

export interface VerifyProjectionsOptions extends Pick<RebuildOptions, 'onProgress' | 'onRecords'> {}

/**
 * Rebuilds every projection from the events into a shadow copy and compares it row by row with
 * the live tables, and checks every snapshot against the same fold, inside the caller's
 * transaction (one snapshot of the database). The shadow copy is made of temporary tables of that
 * connection, so a read-only database can be verified and nothing is left behind; they are
 * dropped afterwards. The rebuild reads the whole log once, in position order; `onRecords` takes
 * it as stored, for the checks of every event's bytes (verifyStore).
 */
export const verifyProjectionsIn = async (tx: SqlExecutor, options: VerifyProjectionsOptions = {}): Promise<ProjectionMismatch[]> => {
  const shadow = shadowTables('verify', { temporary: true });
  const snapshots = await startSnapshotCheck(tx);
  try {
    await rebuildInTransaction(tx, {
      tables: shadow,
      onProgress: options.onProgress,
      onRecords: options.onRecords,
      afterEvent: snapshots.afterEvent,
    });
    const mismatches = await compareTables(tx, shadow);
    const snapshot = await snapshots.end();
    return snapshot ? [...mismatches, snapshot] : mismatches;
  } finally {
    // in a failed PostgreSQL transaction this fails too; the rollback then drops them
    await tx.exec(dropProjectionTables(shadow)).catch(() => undefined);
  }
};

/** verifyProjectionsIn, in a transaction of its own. */
export const verifyProjections = async (db: SqlDatabase, options: VerifyProjectionsOptions = {}): Promise<ProjectionMismatch[]> =>
  db.transaction((tx) => verifyProjectionsIn(tx, options));
