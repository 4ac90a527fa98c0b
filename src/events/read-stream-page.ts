import type { StoredEvent } from './event-types.js';
import type { SqlExecutor } from './sql-database.js';

/**
 * A page of one stream's events after a global position. Within a stream positions grow with
 * versions, so when `after` is one of the stream's own positions (as every `next_after` is) the
 * page is a range of versions on the stream's index, whatever the length of the stream.
 */
export const readStreamPage = async (
  executor: SqlExecutor,
  streamId: string,
  after: number,
  limit: number,
): Promise<StoredEvent[]> => {
  if (after === 0) return executor.events.readStream(streamId, { fromVersion: 1, toVersion: limit });
  const anchor = await executor.get<{ stream_id: string; stream_version: number | string }>(
    'SELECT stream_id, stream_version FROM events WHERE position = $1',
    [after],
  );
  if (anchor?.stream_id !== streamId) return executor.events.readAll({ streamId, after, limit });
  const from = Number(anchor.stream_version) + 1;
  return executor.events.readStream(streamId, { fromVersion: from, toVersion: from + limit - 1 });
};
