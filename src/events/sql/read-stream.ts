import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';
import { lastProfileVersionsIn } from './last-profile-versions-in.js';

/**
 * A range of versions on the stream's (stream_id, stream_version) index, either way. With
 * `profiles`, the range's events of the registry itself (told by their type, no data read) and
 * what a fold needs of each profile's, on the profile index: its creations, deletions and
 * publications, and its last update only (see ReadStreamOptions.profiles). Each profile's versions
 * are read up to its last one in the range, found first by halving (lastProfileVersionsIn): a
 * profile's versions after the range (a hot profile's later updates) are not walked.
 */
export const readStream: EventStoreOperations<SqlStatements>['readStream'] = async (sql, streamId, options = {}) => {
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, limit, backwards = false, profiles } = options;
  const params: unknown[] = [streamId, fromVersion, toVersion];
  const param = (value: unknown): string => `$${params.push(value)}`;
  // the time sits past the content in a row: asked only when given, or every row walked is read through its content
  const inTime = options.untilMs === undefined ? '' : ` AND occurred_at_ms <= ${param(options.untilMs)}`;
  const inRange = `stream_id = $1 AND stream_version >= $2 AND stream_version <= $3${inTime}`;
  const version = profileVersionOfData(sql.flavour);
  const lastVersions = profiles === undefined ? [] : await lastProfileVersionsIn(sql, streamId, toVersion, fromVersion, profiles);
  const selects =
    profiles === undefined
      ? [`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${inRange}`]
      : [
          `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${inRange} AND type NOT IN ${PROFILE_EVENTS}`,
          ...profiles.flatMap(([profile, from], index) => {
            // `+stream_version` keeps the planners off the stream's index: on it, the range's every event was parsed
            const ofProfile = `stream_id = $1 AND ${profileOfData(sql.flavour)} = ${param(profile)}
              AND ${version} >= ${param(from)} AND ${version} <= ${param(lastVersions[index])}
              AND +stream_version >= $2 AND +stream_version <= $3${inTime}`;
            return [
              `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${ofProfile} AND type IN ${PROFILE_EVENTS} AND type <> 'profile.updated'`,
              `SELECT ${STORED_EVENT_COLUMNS} FROM (SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${ofProfile} AND type = 'profile.updated'
              ORDER BY ${version} DESC LIMIT 1) AS last_update`,
            ];
          }),
        ];
  const rows = await sql.all<StoredEventRow>(
    `${selects.join('\n     UNION ALL ')}
     ORDER BY stream_version${backwards ? ' DESC' : ''}${limit === undefined ? '' : ` LIMIT ${param(limit)}`}`,
    params,
  );
  return rows.map(storedEventFromRow);
};
