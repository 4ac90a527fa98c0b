import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { CURRENT_SCHEMA_VERSION } from '../event-types.js';
import type { StoredEventRow } from '../stored-event-row.js';
import { profileOfData, profileVersionOfData } from './profile-columns.js';
import { contentEventOf, CURRENT_CONTENT_EVENTS, dataHeadOf, isCurrentContentEvent, type DataHead } from './read-latest-content.js';
import type { LogChunk } from './read-log-for-fold.js';

/** Updates of the current shape: read without their metadata (UNREAD_METADATA). */
const CURRENT_UPDATES = `(type = 'profile.updated' AND schema_version = ${CURRENT_SCHEMA_VERSION['profile.updated']})`;

/**
 * The profile and version each event's data names, by position, out of the profile index
 * (`events_stream_profile` holds both: a covering scan of it, stream by stream, reads no event).
 * A head the index gives otherwise than as a slug and a small integer is left out (read whole).
 */
const headsByPosition = async (sql: SqlStatements, streams: readonly string[], lastPosition: number) => {
  const profileAt = new Int32Array(lastPosition + 1).fill(-1);
  const versionAt = new Int32Array(lastPosition + 1);
  const slugs: string[] = [];
  const ids = new Map<string, number>();
  const profile = profileOfData(sql.flavour);
  for (const streamId of streams) {
    const rows = await sql.all<{ position: number | string; profile: unknown; version: unknown }>(
      `SELECT position, ${profile} AS profile, ${profileVersionOfData(sql.flavour)} AS version FROM events WHERE stream_id = $1 AND ${profile} IS NOT NULL`,
      [streamId],
    );
    for (const row of rows) {
      const position = Number(row.position);
      const { version } = row;
      if (typeof row.profile !== 'string' || typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > 0x7fffffff) continue;
      if (position > lastPosition) continue;
      let id = ids.get(row.profile);
      if (id === undefined) {
        id = slugs.length;
        slugs.push(row.profile);
        ids.set(row.profile, id);
      }
      profileAt[position] = id;
      versionAt[position] = version;
    }
  }
  return (position: number): DataHead | undefined => {
    const id = profileAt[position] ?? -1;
    return id === -1 ? undefined : { head_profile: slugs[id], head_version: versionAt[position] };
  };
};

/**
 * The whole log in position order, `chunkSize` events at a time, for a fold of every stream to its
 * end that needs neither the stored bytes nor the content a later event replaces (the rebuild, with
 * the chain checked on another thread). Every content event of the current shape comes with its
 * head and REPLACED_CONTENT (the fold reads each profile's last content at its end), its head taken
 * from the profile index; an update of the current shape comes without its metadata
 * (UNREAD_METADATA, see rebuild.ts), and no event with its hashes (''). So the query reads no
 * content event's data: a 4 KB event keeps its data and everything after it on an overflow page,
 * which this read does not touch (the read of the log costs 40 % of what the head of the data did).
 */
export async function* readLogByHeads(
  sql: SqlStatements,
  { chunkSize, streams, lastPosition }: { chunkSize: number; streams: readonly string[]; lastPosition: number },
): AsyncIterable<LogChunk> {
  const headAt = await headsByPosition(sql, streams, lastPosition);
  const text = `SELECT position, stream_id, stream_version, type, schema_version,
      CASE WHEN ${CURRENT_CONTENT_EVENTS} THEN NULL ELSE data_json END AS data_json,
      CASE WHEN ${CURRENT_UPDATES} THEN NULL ELSE metadata_json END AS metadata_json, '' AS prev_hash, '' AS hash
    FROM events WHERE position > $1 ORDER BY position LIMIT $2`;
  const wholeData = async (position: number): Promise<string> =>
    (await sql.get<{ data_json: string }>('SELECT data_json FROM events WHERE position = $1', [position]))?.data_json ?? 'null';
  for (let after = 0; ; ) {
    const rows = await sql.all<Omit<StoredEventRow, 'metadata_json'> & { metadata_json: string | null }>(text, [after, chunkSize]);
    const events: StoredEvent[] = [];
    for (const row of rows) {
      if (!isCurrentContentEvent(row)) {
        events.push(contentEventOf(Object.assign(row, { head_profile: null, head_version: null }), false));
        continue;
      }
      const position = Number(row.position);
      const head = headAt(position) ?? dataHeadOf(await wholeData(position));
      events.push(contentEventOf(Object.assign(row, head), false));
    }
    yield { events, read: rows.length };
    if (rows.length < chunkSize) return;
    after = Number(rows[rows.length - 1].position);
  }
}
