import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { dropProjectionTables, LIVE_TABLES, shadowTables, type ProjectionTables } from './projection-schema.js';
import { foldStreamToEnd, rebuildInTransaction, type RebuildOptions } from './rebuild.js';
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

/**
 * Rebuilds every projection from the events into a shadow copy and compares it row by row with
 * the live tables, in one transaction (one snapshot of the database). The shadow copy is made of
 * temporary tables of that connection, so a read-only database can be verified and nothing is
 * left behind; they are dropped afterwards.
 */
export const verifyProjections = async (
  db: SqlDatabase,
  options: Pick<RebuildOptions, 'onProgress'> = {},
): Promise<ProjectionMismatch[]> => {
  const shadow = shadowTables('verify', { temporary: true });
  return db.transaction(async (tx) => {
    try {
      await rebuildInTransaction(tx, { tables: shadow, onProgress: options.onProgress });
      return await compareTables(tx, shadow);
    } finally {
      // in a failed PostgreSQL transaction this fails too; the rollback then drops them
      await tx.exec(dropProjectionTables(shadow)).catch(() => undefined);
    }
  });
};

/** A snapshot's bytes without the key order of whichever code wrote it. */
const canonicalSnapshot = (parsed: unknown): string => canonicalJson(parsed);

/**
 * Every snapshot must equal the fold of its stream up to its version (reads of the past trust
 * them). A snapshot names each profile's version (its content is that event's): the fold's state
 * at that version is written the same way and compared, one stream at a time, so memory holds one
 * registry's state and its snapshots' few bytes per profile, not every snapshot's whole state.
 */
export const verifySnapshots = async (db: SqlDatabase): Promise<ProjectionMismatch | undefined> => {
  const streams = await db.all<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM ${SNAPSHOT_TABLE} ORDER BY stream_id`);
  for (const { stream_id: registry } of streams) {
    const rows = await db.all<{ stream_version: number | string; state_json: string }>(
      `SELECT stream_version, state_json FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1 ORDER BY stream_version`,
      [registry],
    );
    const snapshots = new Map<number, { json: string; canonical: string }>();
    for (const row of rows) {
      let parsed: object;
      try {
        parsed = JSON.parse(row.state_json) as object;
      } catch (error) {
        return { registry, detail: `snapshot at version ${row.stream_version} cannot be read: ${(error as Error).message}` };
      }
      if (snapshotFormatOf(parsed) !== SNAPSHOT_FORMAT) {
        return { registry, detail: `snapshot at version ${row.stream_version} is of an earlier format, which reads no longer use` };
      }
      snapshots.set(Number(row.stream_version), { json: row.state_json, canonical: canonicalSnapshot(parsed) });
    }
    let differs: { version: number; json: string } | undefined;
    const last = Math.max(...snapshots.keys());
    await foldStreamToEnd(db, registry, 5000, () => undefined, async (state) => {
      const saved = snapshots.get(state.version);
      if (differs === undefined && saved !== undefined && saved.canonical !== canonicalSnapshot(JSON.parse(snapshotJson(state)))) {
        differs = { version: state.version, json: saved.json };
      }
    });
    if (differs) {
      // one that names a version no event made cannot even be read back: say so
      try {
        await readSnapshot(db, differs.json);
      } catch (error) {
        return { registry, detail: `snapshot at version ${differs.version} cannot be read: ${(error as Error).message}` };
      }
      return { registry, detail: `snapshot at version ${differs.version} differs from the events` };
    }
    const head = await db.events.streamHead(registry);
    if (head.version < last) {
      return { registry, ahead: true, detail: `snapshot at version ${last} is past the last event (version ${head.version}): events it saw are missing` };
    }
  }
  return undefined;
};
