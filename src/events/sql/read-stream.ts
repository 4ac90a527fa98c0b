import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';

/** A range of versions on the stream's (stream_id, stream_version) index, either way. */
export const readStream: EventStoreOperations<SqlStatements>['readStream'] = async (sql, streamId, options = {}) => {
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, untilMs = Number.MAX_SAFE_INTEGER, limit, backwards = false } = options;
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 AND occurred_at_ms <= $4
     ORDER BY stream_version${backwards ? ' DESC' : ''}${limit === undefined ? '' : ' LIMIT $5'}`,
    [streamId, fromVersion, toVersion, untilMs, ...(limit === undefined ? [] : [limit])],
  );
  return rows.map(storedEventFromRow);
};
