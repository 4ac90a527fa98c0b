import type { StoredEvent } from './event-types.js';
import type { SqlExecutor } from './sql-database.js';
import type { SqlFlavour } from './sql-flavour.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from './stored-event-row.js';

export const profileOfData = (flavour: SqlFlavour): string => flavour.jsonTextAt('data_json', 'profile');

export const profileVersionOfData = (flavour: SqlFlavour): string => flavour.jsonIntegerAt('data_json', 'version');

/**
 * An index on the profile and profile version an event names, so that a profile's history costs
 * its own versions only and finding one version costs a lookup.
 */
export const profileEventIndexSchema = (flavour: SqlFlavour): string =>
  `CREATE INDEX IF NOT EXISTS events_stream_profile ON events (stream_id, (${profileOfData(flavour)}), (${profileVersionOfData(flavour)}));`;

const PROFILE_EVENT_TYPES = "('profile.created', 'profile.updated', 'profile.deleted')";

/** The events that made the versions of one profile (created, updated, deleted), oldest first. */
export const readProfileEvents = async (executor: SqlExecutor, registry: string, slug: string): Promise<StoredEvent[]> => {
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND type IN ${PROFILE_EVENT_TYPES} AND ${profileOfData(executor.flavour)} = $2
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
     WHERE stream_id = $1 AND type IN ${PROFILE_EVENT_TYPES} AND ${profileOfData(executor.flavour)} = $2
     AND ${profileVersionOfData(executor.flavour)} = $3`,
    [registry, slug, version],
  );
  return row ? storedEventFromRow(row) : undefined;
};

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
  // `[slug, version]` pairs handed over as one JSON parameter, as rows (profile, version);
  // CROSS JOIN keeps SQLite's planner on the pairs first, each looked up in events_stream_profile
  const rows = await executor.all<StoredEventRow>(
    `SELECT ${columns} FROM (${executor.flavour.pairsFromJsonParam('profile', 'version', '$1')}) w CROSS JOIN events e
     WHERE e.stream_id = $2 AND ${profileOfData(executor.flavour)} = w.profile AND ${profileVersionOfData(executor.flavour)} = w.version
       AND e.type IN ('profile.created', 'profile.updated')`,
    [JSON.stringify(wanted), registry],
  );
  return rows.map(storedEventFromRow);
};

/** The stream version of the last event that happened at or before `atMs` (0 when none did). */
export const streamVersionAt = async (executor: SqlExecutor, streamId: string, atMs: number): Promise<number> => {
  // two lookups on (stream_id, occurred_at_ms): the last time at or before atMs, then the events at that time
  const last = await executor.get<{ occurred_at_ms: number | string }>(
    'SELECT occurred_at_ms FROM events WHERE stream_id = $1 AND occurred_at_ms <= $2 ORDER BY occurred_at_ms DESC LIMIT 1',
    [streamId, atMs],
  );
  if (!last) return 0;
  const rows = await executor.all<{ stream_version: number | string }>(
    'SELECT stream_version FROM events WHERE stream_id = $1 AND occurred_at_ms = $2',
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
       AND ${profileOfData(executor.flavour)} = $1)`,
    [slug],
  );
  return rows.map((row) => row.stream_id);
};
