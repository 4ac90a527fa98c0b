import type { ReadAllOptions } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

export const readAll = async (sql: SqlStatements, { after = 0, limit = 1000, streamId }: ReadAllOptions = {}): Promise<StoredEvent[]> => {
  // one statement for both: `$3::text IS NULL` is decided once per execution
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 AND ($3::text IS NULL OR stream_id = $3)
     ORDER BY position LIMIT $2`,
    [after, limit, streamId ?? null],
  );
  return rows.map(storedEventFromRow);
};
