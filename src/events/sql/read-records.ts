import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { eventRecordFromRow, STORED_EVENT_COLUMNS, type StoredEventRow } from '../stored-event-row.js';

export const readRecords: EventStoreOperations<SqlStatements>['readRecords'] = async (sql, { after = 0, limit = 1000 } = {}) =>
  (
    await sql.all<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [after, limit])
  ).map(eventRecordFromRow);
