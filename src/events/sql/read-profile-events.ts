import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_VERSION_EVENTS, profileOfData } from './profile-columns.js';

/** A range of the profile index (events_stream_profile): the profile's own versions only. */
export const readProfileEvents: EventStoreOperations<SqlStatements>['readProfileEvents'] = async (sql, streamId, profile) => {
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND type IN ${PROFILE_VERSION_EVENTS} AND ${profileOfData(sql.flavour)} = $2
     ORDER BY stream_version`,
    [streamId, profile],
  );
  return rows.map(storedEventFromRow);
};
