import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/** One statement: the heads as of one moment. */
export const listStreams: EventStoreOperations<SqlStatements>['listStreams'] = async (sql) =>
  (
    await sql.all<{ stream_id: string; version: number | string; last_hash: string; last_position: number | string }>(
      'SELECT stream_id, version, last_hash, last_position FROM streams ORDER BY stream_id',
    )
  ).map((row) => ({ streamId: row.stream_id, version: Number(row.version), hash: row.last_hash, lastPosition: Number(row.last_position) }));
