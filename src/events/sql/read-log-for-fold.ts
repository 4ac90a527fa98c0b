import type { EventRecord } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { eventRecordFromRow, STORED_EVENT_COLUMNS, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_CONTENT_EVENTS, profileOfData } from './profile-columns.js';
import { contentEventOf, dataHeadOf, isCurrentContentEvent, type DataHead } from './read-latest-content.js';

const NO_HEAD: DataHead = { head_profile: null, head_version: null };

/** Characters of a content event's data read for its head, `{"profile":"…","version":N,`: a slug is at most 128 characters (a head laid out otherwise is read whole). */
const HEAD_CHARS = 256;

/** One chunk of the whole log: each event as stored (for the chain check) and as a fold takes it (undefined: left out). */
export interface LogChunk {
  /** Absent when not asked for. */
  records?: EventRecord[];
  events: (StoredEvent | undefined)[];
  read: number;
}

/** Per stream, the version of each profile's last content event (one scan of the profile index). */
const latestContentVersions = async (sql: SqlStatements): Promise<Map<string, Set<number>>> => {
  const rows = await sql.all<{ stream_id: string; version: number | string }>(
    `SELECT stream_id, MAX(stream_version) AS version FROM events WHERE type IN ${PROFILE_CONTENT_EVENTS}
     GROUP BY stream_id, ${profileOfData(sql.flavour)}`,
  );
  const latest = new Map<string, Set<number>>();
  for (const row of rows) {
    let versions = latest.get(row.stream_id);
    if (!versions) latest.set(row.stream_id, (versions = new Set()));
    versions.add(Number(row.version));
  }
  return latest;
};

/**
 * The whole log in position order, `chunkSize` events at a time, for folding every stream to its
 * end in one read (the rebuild), with each event's stored bytes (`records`, for the chain check or
 * verify's seals; without them, the threads checking the chain gather the events: SegmentFoldEvents).
 *
 * The data's text is read whole for the records anyway; the event comes as readLatestContent
 * gives it to a fold: content that a later event of its profile replaces is not parsed (its head
 * is taken out of the text, dataHeadOf, not by json_extract in the query: 75 % of the bare scan's
 * CPU), and a replaced update is left out unless `keepReplaced`. Which content is replaced is
 * asked first (latestContentVersions).
 */
export async function* readLogForFold(sql: SqlStatements, { chunkSize, keepReplaced }: { chunkSize: number; keepReplaced: boolean }): AsyncIterable<LogChunk> {
  const latest = await latestContentVersions(sql);
  const none = new Set<number>();
  const text = `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`;
  for (let after = 0; ; ) {
    const rows = await sql.all<StoredEventRow>(text, [after, chunkSize]);
    const records = rows.map(eventRecordFromRow);
    const events: (StoredEvent | undefined)[] = [];
    for (const row of rows) {
      const isLatest = (latest.get(row.stream_id) ?? none).has(Number(row.stream_version));
      if (!keepReplaced && !isLatest && row.type === 'profile.updated') {
        events.push(undefined);
        continue;
      }
      const head = !isLatest && isCurrentContentEvent(row) ? dataHeadOf(row.data_json) : NO_HEAD;
      events.push(contentEventOf(Object.assign(row, head), isLatest));
    }
    yield { records, events, read: rows.length };
    if (rows.length < chunkSize) return;
    after = Number(rows[rows.length - 1].position);
  }
}
