import { evolve } from '../events/evolve.js';
import { readStream } from '../events/read-events.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { ownRuntimeFingerprint, writeAllRows, type FingerprintOf } from './project-registry.js';
import { LIVE_TABLES, projectionSchema, type ProjectionTables } from './projection-schema.js';

export interface RebuildProgress {
  events: number;
  totalEvents: number;
  registries: number;
}

export interface RebuildOptions {
  tables?: ProjectionTables;
  fingerprintOf?: FingerprintOf;
  onProgress?: (progress: RebuildProgress) => void;
  /** Events read per query while folding a stream. */
  chunkSize?: number;
}

const foldStream = async (tx: SqlExecutor, streamId: string, chunkSize: number, onEvents: (n: number) => void) => {
  let state: RegistryState | undefined;
  for (let from = 1; ; from += chunkSize) {
    const events = await readStream(tx, streamId, { fromVersion: from, toVersion: from + chunkSize - 1 });
    for (const event of events) state = evolve(state, event, streamId);
    onEvents(events.length);
    if (events.length < chunkSize) return state;
  }
};

/**
 * Recreates the projection tables from the events alone, in one transaction: every stream is
 * folded from its first event and written with the same code the inline projector uses, so the
 * rows come out byte-identical. With `tables` set, it fills a shadow copy instead (verify).
 */
export const rebuildProjections = async (db: SqlDatabase, options: RebuildOptions = {}): Promise<RebuildProgress> => {
  const tables = options.tables ?? LIVE_TABLES;
  const chunkSize = options.chunkSize ?? 5000;
  const fingerprintOf = options.fingerprintOf ?? ownRuntimeFingerprint;
  return db.transaction(async (tx) => {
    await tx.exec(projectionSchema(db.dialect, tables));
    for (const table of [tables.headers, tables.documents, tables.tombstones]) await tx.run(`DELETE FROM ${table}`);
    const total = await tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM events');
    const streams = await tx.all<{ stream_id: string }>('SELECT stream_id FROM streams ORDER BY stream_id');
    const progress: RebuildProgress = { events: 0, totalEvents: Number(total?.n ?? 0), registries: 0 };
    for (const { stream_id: streamId } of streams) {
      const state = await foldStream(tx, streamId, chunkSize, (n) => {
        progress.events += n;
      });
      if (state) await writeAllRows(tx, state, fingerprintOf, tables);
      progress.registries += 1;
      options.onProgress?.({ ...progress });
    }
    return progress;
  });
};
