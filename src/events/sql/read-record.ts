import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { eventRecordFromRow, STORED_EVENT_COLUMNS, type StoredEventRow } from '../stored-event-row.js';

export const readRecord: EventStoreOperations<SqlStatements>['readRecord'] = async (sql, streamId, version) => {
  const row = await sql.get<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version = $2`, [
    streamId,
    version,
  ]);
  return row ? eventRecordFromRow(row) : undefined;
};
