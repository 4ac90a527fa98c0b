import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

/** Only the conditions asked for are written (SQLite picks its index per statement text). */
export const readAll: EventStoreOperations<SqlStatements>['readAll'] = async (sql, { after = 0, limit = 1000, streamId, types } = {}) => {
  const params: unknown[] = [after, limit];
  const conditions = ['position > $1'];
  if (streamId !== undefined) conditions.push(`stream_id = $${params.push(streamId)}`);
  if (types !== undefined) conditions.push(`type IN (${types.map((type) => `$${params.push(type)}`).join(', ')})`);
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $2`,
    params,
  );
  return rows.map(storedEventFromRow);
};
