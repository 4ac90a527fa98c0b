import { canonicalJson } from '../domain/canonical-json.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { dropProjectionTables, LIVE_TABLES, shadowTables, type ProjectionTables } from './projection-schema.js';
import { rebuildProjections, foldStream } from './rebuild.js';
import { readSnapshot, serializeRegistryState } from './registry-snapshots.js';
import { SNAPSHOT_TABLE } from './snapshot-schema.js';
import { SCHEMA_STREAM } from '../events/schema-state.js';

export interface ProjectionMismatch {
  registry: string;
  detail: string;
}

interface TableCheck {
  table: keyof ProjectionTables;
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
    columns: 'registry, slug, version, etag, is_default, fingerprint, stored_json',
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
    table: 'schemas',
    columns: 'kind, name, version, document_json, metadata_json',
    key: (row) => `${String(row.kind)}/${String(row.name)}`,
    registry: () => SCHEMA_STREAM,
  },
];

const rowsByKey = async (executor: SqlExecutor, table: string, check: TableCheck) => {
  const rows = await executor.all<Record<string, unknown>>(`SELECT ${check.columns} FROM ${table}`);
  return new Map(rows.map((row) => [check.key(row), JSON.stringify(row)]));
};

const compareTables = async (executor: SqlExecutor, shadow: ProjectionTables): Promise<ProjectionMismatch | undefined> => {
  for (const check of CHECKS) {
    const table = LIVE_TABLES[check.table];
    const live = await rowsByKey(executor, table, check);
    const rebuilt = await rowsByKey(executor, shadow[check.table], check);
    const keys = [...new Set([...live.keys(), ...rebuilt.keys()])].sort();
    for (const key of keys) {
      if (live.get(key) === rebuilt.get(key)) continue;
      const row = JSON.parse((live.get(key) ?? rebuilt.get(key)) as string) as Record<string, unknown>;
      const what = !live.has(key) ? 'is missing' : !rebuilt.has(key) ? 'should not exist' : 'differs from the events';
      return { registry: check.registry(row), detail: `${table} row "${key}" ${what}` };
    }
  }
  return undefined;
};

/**
 * Rebuilds every projection from the events into a shadow copy and compares it row by row with
 * the live tables; the shadow copy is dropped afterwards.
 */
export const verifyProjections = async (db: SqlDatabase): Promise<ProjectionMismatch | undefined> => {
  const shadow = shadowTables('verify');
  try {
    await rebuildProjections(db, { tables: shadow });
    return await compareTables(db, shadow);
  } finally {
    await db.exec(dropProjectionTables(shadow));
  }
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
    let state: RegistryState;
    try {
      state = await readSnapshot(db, row.state_json);
    } catch (error) {
      return { registry: row.stream_id, detail: `snapshot at version ${row.stream_version} cannot be read: ${(error as Error).message}` };
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
    const head = await db.get<{ version: number | string }>('SELECT version FROM streams WHERE stream_id = ?', [registry]);
    if (Number(head?.version ?? 0) < last) return { registry, detail: `snapshot at version ${last} is past the last event` };
  }
  return undefined;
};
