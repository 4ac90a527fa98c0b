import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/** Walks the stream back from its head: costs the stream's events after `position`, not its length. */
export const streamVersionAtPosition: EventStoreOperations<SqlStatements>['streamVersionAtPosition'] = async (sql, streamId, position) => {
  const row = await sql.get<{ stream_version: number | string }>(
    'SELECT stream_version FROM events WHERE stream_id = $1 AND position <= $2 ORDER BY stream_version DESC LIMIT 1',
    [streamId, position],
  );
  return row ? Number(row.stream_version) : 0;
};
