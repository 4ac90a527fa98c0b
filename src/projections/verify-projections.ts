import { canonicalJson } from '../domain/canonical-json.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { dropProjectionTables, LIVE_TABLES, shadowTables, type ProjectionTables } from './projection-schema.js';
import { foldStream, rebuildInTransaction, type RebuildOptions } from './rebuild.js';
import { readSnapshot } from '../events/snapshots.js';
import { serializeRegistryState } from './registry-snapshots.js';
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
  registry: (row: Record<string, unknown>) => string;
}

const CHECKS: TableCheck[] = [
  {
    table: 'registries',
    columns: 'slug, payload_text, updated_at_ms, version',
    key: (row) => String(row.slug),
    registry: (row) => String(row.slug),
  },
  {
    table: 'headers',
    columns: 'slug, header_json, metadata_json, updated_at_ms, version, summary_json',
    key: (row) => String(row.slug),
    registry: (row) => String(row.slug),
  },
  {
    table: 'documents',
    columns: 'registry, slug, version, etag, is_default, fingerprint, stored_json, signature_json',
    key: (row) => `${String(row.registry)}/${String(row.slug)}`,
    registry: (row) => String(row.registry),
  },
  {
    table: 'tombstones',
    columns: 'registry, slug, version',
    key: (row) => `${String(row.registry)}/${String(row.slug)}`,
    registry: (row) => String(row.registry),
  },
  {
    // the stack dependents index: a decision reads it (a delete refused while others stack on it)
    table: 'stackRefs',
    columns: 'registry, profile, ref_registry, ref_profile',
    key: (row) => `${String(row.registry)}/${String(row.profile)} -> ${String(row.ref_registry)}/${String(row.ref_profile)}`,
    registry: (row) => String(row.registry),
  },
  {
    table: 'schemas',
    columns: 'kind, name, version, document_json, metadata_json',
    key: (row) => `${String(row.kind)}/${String(row.name)}`,
    registry: () => SCHEMA_STREAM,
  },
];

type Rows = Map<string, { json: string; version: number }>;

const rowsByKey = async (executor: SqlExecutor, table: string, check: TableCheck): Promise<Rows> => {
  const rows = await executor.all<Record<string, unknown>>(`SELECT ${check.columns} FROM ${table}`);
  // rows without a version (the stack index) are never ahead of the events
  return new Map(rows.map((row) => [check.key(row), { json: JSON.stringify(row), version: Number(row.version ?? 0) }]));
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
      if (liveRow?.json === rebuiltRow?.json) continue;
      const row = JSON.parse((liveRow ?? rebuiltRow)!.json) as Record<string, unknown>;
      const registry = check.registry(row);
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

/** A state's bytes without the key order of whichever code built it. */
const canonicalState = (state: RegistryState): string => canonicalJson(JSON.parse(serializeRegistryState(state)));

/** Every snapshot must equal the fold of its stream up to its version (reads of the past trust them). */
export const verifySnapshots = async (db: SqlDatabase): Promise<ProjectionMismatch | undefined> => {
  const rows = await db.all<{ stream_id: string; stream_version: number | string; state_json: string }>(
    `SELECT stream_id, stream_version, state_json FROM ${SNAPSHOT_TABLE} ORDER BY stream_id, stream_version`,
  );
  const byStream = new Map<string, Map<number, string>>();
  for (const row of rows) {
    const snapshots = byStream.get(row.stream_id) ?? new Map<number, string>();
    let state: RegistryState | undefined;
    try {
      state = await readSnapshot(db, row.state_json);
    } catch (error) {
      return { registry: row.stream_id, detail: `snapshot at version ${row.stream_version} cannot be read: ${(error as Error).message}` };
    }
    if (!state) {
      return { registry: row.stream_id, detail: `snapshot at version ${row.stream_version} is of an earlier format, which reads no longer use` };
    }
    snapshots.set(Number(row.stream_version), canonicalState(state));
    byStream.set(row.stream_id, snapshots);
  }
  for (const [registry, snapshots] of byStream) {
    let mismatch: ProjectionMismatch | undefined;
    const last = Math.max(...snapshots.keys());
    await foldStream(db, registry, 5000, async (state) => {
      const saved = snapshots.get(state.version);
      if (mismatch === undefined && saved !== undefined && saved !== canonicalState(state)) {
        mismatch = { registry, detail: `snapshot at version ${state.version} differs from the events` };
      }
    });
    if (mismatch) return mismatch;
    const head = await db.events.streamHead(registry);
    if (head.version < last) {
      return { registry, ahead: true, detail: `snapshot at version ${last} is past the last event (version ${head.version}): events it saw are missing` };
    }
  }
  return undefined;
};
