import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

export const readAll: EventStoreOperations<SqlStatements>['readAll'] = async (sql, { after = 0, limit = 1000, streamId, types } = {}) => {
  // one statement for every filter: `$3::text IS NULL` is decided once per execution
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 AND ($3::text IS NULL OR stream_id = $3)
       AND ($4::text[] IS NULL OR type = ANY($4::text[]))
     ORDER BY position LIMIT $2`,
    [after, limit, streamId ?? null, types ?? null],
  );
  return rows.map(storedEventFromRow);
};
