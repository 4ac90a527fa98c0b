import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_EVENTS, profileOfData } from './profile-columns.js';

/** A range of versions on the stream's (stream_id, stream_version) index, either way. */
export const readStream: EventStoreOperations<SqlStatements>['readStream'] = async (sql, streamId, options = {}) => {
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, untilMs = Number.MAX_SAFE_INTEGER, limit, backwards = false, profiles } = options;
  const params: unknown[] = [streamId, fromVersion, toVersion, untilMs];
  const param = (value: unknown): string => `$${params.push(value)}`;
  // the profile is read from the data of the range's profile events only, after their type
  const ofProfiles =
    profiles === undefined
      ? ''
      : ` AND (type NOT IN ${PROFILE_EVENTS} OR ${sql.flavour.textIn(profileOfData(sql.flavour), param(sql.flavour.textListParam(profiles)))})`;
  const rows = await sql.all<StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 AND occurred_at_ms <= $4${ofProfiles}
     ORDER BY stream_version${backwards ? ' DESC' : ''}${limit === undefined ? '' : ` LIMIT ${param(limit)}`}`,
    params,
  );
  return rows.map(storedEventFromRow);
};
