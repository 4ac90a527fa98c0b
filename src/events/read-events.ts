import type { StoredEvent } from './event-types.js';
import type { SqlExecutor } from './sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from './stored-event-row.js';

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  /** Only events that happened at or before this time. */
  untilMs?: number;
}

/** The events of one stream, oldest first. */
export const readStream = async (
  executor: SqlExecutor,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<StoredEvent[]> => {
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND stream_version >= ? AND stream_version <= ? AND occurred_at_ms <= ?
     ORDER BY stream_version`,
    [streamId, options.fromVersion ?? 1, options.toVersion ?? Number.MAX_SAFE_INTEGER, options.untilMs ?? Number.MAX_SAFE_INTEGER],
  );
  return rows.map(storedEventFromRow);
};

export interface ReadAllOptions {
  after?: number;
  limit?: number;
  streamId?: string;
}

/** Events of every stream (or one) after a global position, in position order. */
export const readAll = async (executor: SqlExecutor, options: ReadAllOptions = {}): Promise<StoredEvent[]> => {
  const after = options.after ?? 0;
  const limit = options.limit ?? 1000;
  const rows =
    options.streamId === undefined
      ? await executor.all<StoredEventRow>(
          `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
          [after, limit],
        )
      : await executor.all<StoredEventRow>(
          `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND position > ? ORDER BY position LIMIT ?`,
          [options.streamId, after, limit],
        );
  return rows.map(storedEventFromRow);
};

export const lastPosition = async (executor: SqlExecutor): Promise<number> => {
  const row = await executor.get<{ position: number | string | null }>('SELECT MAX(position) AS position FROM events');
  return Number(row?.position ?? 0);
};
