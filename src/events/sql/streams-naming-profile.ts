import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { PROFILE_VERSION_EVENTS, profileOfData } from './profile-columns.js';

/** One lookup in the profile index (events_stream_profile) per stream. */
export const streamsNamingProfile: EventStoreOperations<SqlStatements>['streamsNamingProfile'] = async (sql, profile) => {
  const rows = await sql.all<{ stream_id: string }>(
    `SELECT s.stream_id FROM streams s WHERE EXISTS (
       SELECT 1 FROM events WHERE events.stream_id = s.stream_id AND type IN ${PROFILE_VERSION_EVENTS}
       AND ${profileOfData(sql.flavour)} = $1)`,
    [profile],
  );
  return rows.map((row) => row.stream_id);
};
