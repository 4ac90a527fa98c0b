import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

/**
 * A range of versions on the stream's (stream_id, stream_version) index, either way. With
 * `profiles`, the range's events of the registry itself (told by their type, no data read) and
 * what a fold needs of each profile's, on the profile index: its creations, deletions and
 * publications, and its last update only (see ReadStreamOptions.profiles). Its versions in the
 * range are at most as many as the range's events, so from its version `from` they end by `from`
 * plus the range's length.
 */
export const readStream: EventStoreOperations<SqlStatements>['readStream'] = async (sql, streamId, options = {}) => {
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, untilMs = Number.MAX_SAFE_INTEGER, limit, backwards = false, profiles } = options;
  const params: unknown[] = [streamId, fromVersion, toVersion, untilMs];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const inRange = 'stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 AND occurred_at_ms <= $4';
  const version = profileVersionOfData(sql.flavour);
  const selects =
    profiles === undefined
      ? [`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${inRange}`]
      : [
          `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${inRange} AND type NOT IN ${PROFILE_EVENTS}`,
          ...profiles.flatMap(([profile, from]) => {
            // `+stream_version` keeps the planners off the stream's index: on it, the range's every event was parsed
            const to = Math.min(from + (toVersion - fromVersion + 1), Number.MAX_SAFE_INTEGER);
            const ofProfile = `stream_id = $1 AND ${profileOfData(sql.flavour)} = ${param(profile)}
              AND ${version} >= ${param(from)} AND ${version} <= ${param(to)}
              AND +stream_version >= $2 AND +stream_version <= $3 AND occurred_at_ms <= $4`;
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
