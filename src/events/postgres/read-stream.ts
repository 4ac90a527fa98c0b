import type { ReadStreamOptions } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

export const readStream = async (sql: SqlStatements, streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3 AND occurred_at_ms <= $4
     ORDER BY stream_version`,
    [streamId, options.fromVersion ?? 1, options.toVersion ?? Number.MAX_SAFE_INTEGER, options.untilMs ?? Number.MAX_SAFE_INTEGER],
  );
  return rows.map(storedEventFromRow);
};
