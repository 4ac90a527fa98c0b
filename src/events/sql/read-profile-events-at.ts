import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_VERSION_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

const COLUMNS = STORED_EVENT_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ');

/**
 * One lookup in the profile index per `[profile, version]` pair (a profile's versions are never
 * reused, so each pair names one event at most).
 */
export const readProfileEventsAt: EventStoreOperations<SqlStatements>['readProfileEventsAt'] = async (sql, streamId, versions) => {
  if (versions.length === 0) return [];
  const { flavour } = sql;
  // the pairs handed over as one JSON parameter, as rows (profile, version); CROSS JOIN keeps
  // SQLite's planner on the pairs first, each looked up in events_stream_profile
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${COLUMNS} FROM (${flavour.pairsFromJsonParam('profile', 'version', '$1')}) w CROSS JOIN events e
     WHERE e.stream_id = $2 AND ${profileOfData(flavour)} = w.profile AND ${profileVersionOfData(flavour)} = w.version
       AND e.type IN ${PROFILE_VERSION_EVENTS}`,
    [JSON.stringify(versions), streamId],
  );
  return rows.map(storedEventFromRow);
};
