import type { StoredEvent } from './event-types.js';
import type { SqlDialect, SqlExecutor } from './sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from './stored-event-row.js';

export const profileOfData = (dialect: SqlDialect): string =>
  dialect === 'sqlite' ? "json_extract(data_json, '$.profile')" : "(data_json::jsonb ->> 'profile')";

export const profileVersionOfData = (dialect: SqlDialect): string =>
  dialect === 'sqlite' ? "json_extract(data_json, '$.version')" : "((data_json::jsonb ->> 'version')::bigint)";

/**
 * An index on the profile and profile version an event names, so that a profile's history costs
 * its own versions only and finding one version costs a lookup.
 */
export const profileEventIndexSchema = (dialect: SqlDialect): string =>
  `CREATE INDEX IF NOT EXISTS events_stream_profile ON events (stream_id, (${profileOfData(dialect)}), (${profileVersionOfData(dialect)}));`;

const PROFILE_EVENT_TYPES = "('profile.created', 'profile.updated', 'profile.deleted')";

/** The events that made the versions of one profile (created, updated, deleted), oldest first. */
export const readProfileEvents = async (executor: SqlExecutor, registry: string, slug: string): Promise<StoredEvent[]> => {
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND type IN ${PROFILE_EVENT_TYPES} AND ${profileOfData(executor.dialect)} = ?
     ORDER BY stream_version`,
    [registry, slug],
  );
  return rows.map(storedEventFromRow);
};

/** The event that gave a profile its version `version`, if any. */
export const readProfileEventAt = async (
  executor: SqlExecutor,
  registry: string,
  slug: string,
  version: number,
): Promise<StoredEvent | undefined> => {
  const row = await executor.get<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND type IN ${PROFILE_EVENT_TYPES} AND ${profileOfData(executor.dialect)} = ?
     AND ${profileVersionOfData(executor.dialect)} = ?`,
    [registry, slug, version],
  );
  return row ? storedEventFromRow(row) : undefined;
};

/** `[slug, version]` pairs handed over as one JSON parameter, as rows (profile, version). */
const wantedPairs = (dialect: SqlDialect): string =>
  dialect === 'sqlite'
    ? "SELECT json_extract(value, '$[0]') AS profile, json_extract(value, '$[1]') AS version FROM json_each(?)"
    : 'SELECT value ->> 0 AS profile, (value ->> 1)::bigint AS version FROM jsonb_array_elements(?::jsonb)';

/**
 * The events that gave profiles their content at the versions named (`[slug, version]` pairs):
 * one lookup in the profile index per pair (a profile's versions are never reused, so each pair
 * names one event at most).
 */
export const readProfileContentEvents = async (
  executor: SqlExecutor,
  registry: string,
  wanted: readonly (readonly [string, number])[],
): Promise<StoredEvent[]> => {
  const columns = STORED_EVENT_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ');
  // CROSS JOIN keeps SQLite's planner on the pairs first, each looked up in events_stream_profile
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${columns} FROM (${wantedPairs(executor.dialect)}) w CROSS JOIN events e
     WHERE e.stream_id = ? AND ${profileOfData(executor.dialect)} = w.profile AND ${profileVersionOfData(executor.dialect)} = w.version
       AND e.type IN ('profile.created', 'profile.updated')`,
    [JSON.stringify(wanted), registry],
  );
  return rows.map(storedEventFromRow);
};

/** The stream version of the last event that happened at or before `atMs` (0 when none did). */
export const streamVersionAt = async (executor: SqlExecutor, streamId: string, atMs: number): Promise<number> => {
  // two lookups on (stream_id, occurred_at_ms): the last time at or before atMs, then the events at that time
  const last = await executor.get<{ occurred_at_ms: number | string }>(
    'SELECT occurred_at_ms FROM events WHERE stream_id = ? AND occurred_at_ms <= ? ORDER BY occurred_at_ms DESC LIMIT 1',
    [streamId, atMs],
  );
  if (!last) return 0;
  const rows = await executor.all<{ stream_version: number | string }>(
    'SELECT stream_version FROM events WHERE stream_id = ? AND occurred_at_ms = ?',
    [streamId, Number(last.occurred_at_ms)],
  );
  return Math.max(...rows.map((row) => Number(row.stream_version)));
};

/** The streams whose events created, changed or deleted a profile of that slug (any order). */
export const readStreamsNamingProfile = async (executor: SqlExecutor, slug: string): Promise<string[]> => {
  // one lookup in events_stream_profile per stream
  const rows = await executor.all<{ stream_id: string }>(
    `SELECT s.stream_id FROM streams s WHERE EXISTS (
       SELECT 1 FROM events WHERE events.stream_id = s.stream_id AND type IN ${PROFILE_EVENT_TYPES}
       AND ${profileOfData(executor.dialect)} = ?)`,
    [slug],
  );
  return rows.map((row) => row.stream_id);
};
