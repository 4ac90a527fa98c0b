import type { ReadAllOptions } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

export const readAll = async (sql: SqlStatements, { after = 0, limit = 1000, streamId }: ReadAllOptions = {}): Promise<StoredEvent[]> => {
  const rows =
    streamId === undefined
      ? await sql.all<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [after, limit])
      : await sql.all<StoredEventRow>(
          `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
          [streamId, after, limit],
        );
  return rows.map(storedEventFromRow);
};
