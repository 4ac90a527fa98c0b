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
  if (after === 0) return executor.events.readStream(streamId, { limit });
  const [anchor] = await executor.events.readAll({ after: after - 1, limit: 1 });
  if (anchor?.position !== after || anchor.stream_id !== streamId) return executor.events.readAll({ streamId, after, limit });
  return executor.events.readStream(streamId, { fromVersion: anchor.stream_version + 1, limit });
};
