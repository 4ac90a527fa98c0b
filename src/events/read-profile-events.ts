import type { StoredEvent } from './event-types.js';
import type { SqlExecutor } from './sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from './stored-event-row.js';

const profileOfData = (executor: SqlExecutor): string =>
  executor.dialect === 'sqlite' ? "json_extract(data_json, '$.profile')" : "(data_json::jsonb ->> 'profile')";

/** The events that made the versions of one profile (created, updated, deleted), oldest first. */
export const readProfileEvents = async (executor: SqlExecutor, registry: string, slug: string): Promise<StoredEvent[]> => {
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND type IN ('profile.created', 'profile.updated', 'profile.deleted') AND ${profileOfData(executor)} = ?
     ORDER BY stream_version`,
    [registry, slug],
  );
  return rows.map(storedEventFromRow);
};

/** The stream version of the last event that happened at or before `atMs` (0 when none did). */
export const streamVersionAt = async (executor: SqlExecutor, streamId: string, atMs: number): Promise<number> => {
  const row = await executor.get<{ stream_version: number | string }>(
    `SELECT stream_version FROM events WHERE stream_id = ? AND occurred_at_ms <= ?
     ORDER BY occurred_at_ms DESC, stream_version DESC LIMIT 1`,
    [streamId, atMs],
  );
  return Number(row?.stream_version ?? 0);
};
