import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/** Two lookups on (stream_id, occurred_at_ms): the last time at or before atMs, then the events at that time. */
export const streamVersionAt: EventStoreOperations<SqlStatements>['streamVersionAt'] = async (sql, streamId, atMs) => {
  const last = await sql.get<{ occurred_at_ms: number | string }>(
    'SELECT occurred_at_ms FROM events WHERE stream_id = $1 AND occurred_at_ms <= $2 ORDER BY occurred_at_ms DESC LIMIT 1',
    [streamId, atMs],
  );
  if (!last) return 0;
  const rows = await sql.all<{ stream_version: number | string }>('SELECT stream_version FROM events WHERE stream_id = $1 AND occurred_at_ms = $2', [
    streamId,
    Number(last.occurred_at_ms),
  ]);
  return Math.max(...rows.map((row) => Number(row.stream_version)));
};
