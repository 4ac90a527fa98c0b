import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventMetadata, type EventType, type StoredEvent } from '../event-types.js';
import { REPLACED_CONTENT, UNREAD_METADATA, type EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { storedEventFromRow, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_CONTENT_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

/** What is read of a replaced creation's data besides the row (the rest of the row is its head too). */
export interface DataHead {
  head_profile: string | null;
  head_version: number | string | null;
}

/** Only events of the current shape are read by their head, `profile` and `version` (an older one goes through its upcaster). */
export const CURRENT_CONTENT_EVENTS = `((type = 'profile.created' AND schema_version = ${CURRENT_SCHEMA_VERSION['profile.created']})
  OR (type = 'profile.updated' AND schema_version = ${CURRENT_SCHEMA_VERSION['profile.updated']}))`;

/** How the writers lay out a content event's data: `profile` and `version` first (JSON.stringify of the event). */
const WRITTEN_HEAD = /^\{"profile":("(?:[^"\\]|\\.)*"),"version":(\d+)[,}]/;

/** The head as the writers lay it out, from the start of the data's text (undefined: laid out otherwise, or cut before its end). */
export const writtenHeadOf = (dataStart: string): DataHead | undefined => {
  const written = WRITTEN_HEAD.exec(dataStart);
  return written ? { head_profile: JSON.parse(written[1]) as string, head_version: Number(written[2]) } : undefined;
};

/**
 * The head of a content event's data, from its stored text: the profile and version that lead it
 * as the writers lay it out, found without parsing the ~4 KB of content behind them (a full parse,
 * or json_extract in the query, costs 10 to 20 times as much: most of a rebuild's read of the log);
 * any other layout is parsed whole. Like json_extract, the first `profile` and `version` count.
 */
export const dataHeadOf = (dataJson: string): DataHead => {
  const written = writtenHeadOf(dataJson);
  if (written) return written;
  const data = JSON.parse(dataJson) as { profile?: unknown; version?: unknown };
  return {
    head_profile: typeof data.profile === 'string' ? data.profile : null,
    head_version: typeof data.version === 'number' || typeof data.version === 'string' ? data.version : null,
  };
};

/** Whether a row is a creation or update of the current shape, which a fold may take by its head alone. */
export const isCurrentContentEvent = (row: Pick<StoredEventRow, 'type' | 'schema_version'>): boolean =>
  (row.type === 'profile.created' || row.type === 'profile.updated') && row.schema_version === CURRENT_SCHEMA_VERSION[row.type as EventType];

/**
 * The event as a fold of the stream to its end takes it: a creation or update of the current
 * shape that a later event of its profile replaces (not `isLatest`) comes with its head and
 * REPLACED_CONTENT, any other event whole. Metadata left unread (null) comes as UNREAD_METADATA.
 */
export const contentEventOf = (row: Omit<StoredEventRow, 'metadata_json'> & DataHead & { metadata_json: string | null }, isLatest: boolean): StoredEvent => {
  if (isLatest || !isCurrentContentEvent(row)) return storedEventFromRow(row as StoredEventRow);
  if (typeof row.head_profile !== 'string' || row.head_version === null) {
    throw new Error(`the event at position ${row.position} names no profile and version`);
  }
  return {
    position: Number(row.position),
    stream_id: row.stream_id,
    stream_version: Number(row.stream_version),
    type: row.type,
    schema_version: row.schema_version,
    data: { profile: row.head_profile, version: Number(row.head_version), content: REPLACED_CONTENT },
    metadata: row.metadata_json === null ? UNREAD_METADATA : (JSON.parse(row.metadata_json) as EventMetadata),
    prev_hash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent & DomainEvent;
};

/**
 * First the version of each profile's last content event (a scan of the stream's part of the
 * profile index), then the stream by chunks of versions: a replaced update is not read at all,
 * and of a replaced creation only its head (who made it and when, and the profile and version
 * its data names, taken out of the JSON inside the database whatever the order of its keys).
 */
export const readLatestContent: EventStoreOperations<SqlStatements>['readLatestContent'] = async function* (
  sql,
  streamId,
  { toVersion, chunkSize, keepReplaced = false },
) {
  const { flavour } = sql;
  const lastContent = await sql.all<{ version: number | string }>(
    `SELECT MAX(stream_version) AS version FROM events WHERE stream_id = $1 AND type IN ${PROFILE_CONTENT_EVENTS}
     GROUP BY ${profileOfData(flavour)}`,
    [streamId],
  );
  const latestVersions = lastContent.map((row) => Number(row.version));
  const latest = new Set(latestVersions);
  const isLatest = flavour.integerIn('stream_version', '$4');
  const latestParam = flavour.integerListParam(latestVersions);
  const replaced = `${CURRENT_CONTENT_EVENTS} AND NOT (${isLatest})`;
  for (let from = 1; from <= toVersion; from += chunkSize) {
    const to = Math.min(from + chunkSize - 1, toVersion);
    const rows = await sql.all<StoredEventRow & DataHead>(
      `SELECT position, stream_id, stream_version, type, schema_version, metadata_json, prev_hash, hash,
         CASE WHEN ${replaced} THEN NULL ELSE data_json END AS data_json,
         CASE WHEN ${replaced} THEN ${profileOfData(flavour)} END AS head_profile,
         CASE WHEN ${replaced} THEN ${profileVersionOfData(flavour)} END AS head_version
       FROM events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
         ${keepReplaced ? '' : `AND NOT (type = 'profile.updated' AND NOT (${isLatest}))`}
       ORDER BY stream_version`,
      [streamId, from, to, latestParam],
    );
    const events = rows.map((row) => contentEventOf(row, latest.has(Number(row.stream_version))));
    yield { events, toVersion: to };
  }
};
