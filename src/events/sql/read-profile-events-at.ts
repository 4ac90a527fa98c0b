import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import type { SqlFlavour } from '../sql-flavour.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_VERSION_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

const COLUMNS = STORED_EVENT_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ');

/** The events that gave profiles versions, for a JSON parameter `$1` of `[profile, version]` pairs in stream `$2`. */
export const profileEventsAtSql = (flavour: SqlFlavour): string => {
  // the pairs as rows (profile, version), each looked up in events_stream_profile
  const pairs = flavour.pairsFromJsonParam('profile', 'version', '$1');
  const sameEvent = `e.stream_id = $2 AND ${profileOfData(flavour)} = w.profile AND ${profileVersionOfData(flavour)} = w.version
       AND e.type IN ${PROFILE_VERSION_EVENTS}`;
  return `SELECT ${COLUMNS} FROM ${flavour.eachRowJoinedToOne(pairs, 'events', sameEvent)}`;
};

/**
 * One lookup in the profile index per `[profile, version]` pair (a profile's versions are never
 * reused, so each pair names one event at most).
 */
export const readProfileEventsAt: EventStoreOperations<SqlStatements>['readProfileEventsAt'] = async (sql, streamId, versions) => {
  if (versions.length === 0) return [];
  const rows = await sql.all<StoredEventRow>(profileEventsAtSql(sql.flavour), [JSON.stringify(versions), streamId]);
  return rows.map(storedEventFromRow);
};
