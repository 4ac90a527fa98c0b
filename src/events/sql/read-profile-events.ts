import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_VERSION_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

/**
 * The SQL of readProfileEvents, newest first: stream `$1`, profile `$2`, then versions before the
 * next parameter when `before`, then the last so many when `last`.
 */
export const profileEventsSql = (flavour: SqlStatements['flavour'], options: { before: boolean; last: boolean }): string => {
  const version = profileVersionOfData(flavour);
  const beforeParam = '$3';
  const lastParam = options.before ? '$4' : '$3';
  // ordered by the profile version, the last column of events_stream_profile, the index serves
  // the order: ordered by stream_version, the planner took the (stream_id, stream_version) index
  // and parsed the JSON of every event of the registry's stream
  return `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND ${profileOfData(flavour)} = $2 AND type IN ${PROFILE_VERSION_EVENTS}${options.before ? ` AND ${version} < ${beforeParam}` : ''}
     ORDER BY ${version} DESC${options.last ? ` LIMIT ${lastParam}` : ''}`;
};

/** A range of the profile index (events_stream_profile): the profile's own versions only, read newest first, returned oldest first. */
export const readProfileEvents: EventStoreOperations<SqlStatements>['readProfileEvents'] = async (sql, streamId, profile, options = {}) => {
  const { beforeVersion, last } = options;
  const params: unknown[] = [streamId, profile];
  if (beforeVersion !== undefined) params.push(beforeVersion);
  if (last !== undefined) params.push(last);
  const rows = await sql.all<StoredEventRow>(profileEventsSql(sql.flavour, { before: beforeVersion !== undefined, last: last !== undefined }), params);
  return rows.reverse().map(storedEventFromRow);
};
