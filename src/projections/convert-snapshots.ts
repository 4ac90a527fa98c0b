import { aggregateStream } from '../events/aggregate-stream.js';
import { SNAPSHOT_TABLE, snapshotSchema } from '../events/snapshot-schema.js';
import { SNAPSHOT_FORMAT, snapshotFormatOf, sqlSnapshotStore, writeSnapshot } from '../events/snapshots.js';
import type { SqlExecutor } from '../events/sql-database.js';

/**
 * The rebuild step that rewrites snapshots of earlier formats (each profile whole, then refs
 * without a `format`) in the current one: the state at each one's version, folded from the events
 * (from the last snapshot already converted). A snapshot past its stream's head is dropped.
 * Returns how many it rewrote or dropped.
 */
export const convertSnapshots = async (tx: SqlExecutor): Promise<number> => {
  await tx.exec(snapshotSchema(tx.flavour));
  const rows = await tx.all<{ stream_id: string; stream_version: number | string; state_json: string }>(
    `SELECT stream_id, stream_version, state_json FROM ${SNAPSHOT_TABLE} ORDER BY stream_id, stream_version`,
  );
  let converted = 0;
  for (const row of rows) {
    if (snapshotFormatOf(JSON.parse(row.state_json) as object) === SNAPSHOT_FORMAT) continue;
    const version = Number(row.stream_version);
    const state = await aggregateStream(tx.events, row.stream_id, { toVersion: version, snapshots: sqlSnapshotStore(tx) });
    if (state?.version === version) await writeSnapshot(tx, state);
    else await tx.run(`DELETE FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1 AND stream_version = $2`, [row.stream_id, version]);
    converted += 1;
  }
  return converted;
};
