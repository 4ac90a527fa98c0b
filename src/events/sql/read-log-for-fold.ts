import type { EventRecord } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlExecutor } from '../sql-database.js';
import { eventRecordFromRow, STORED_EVENT_COLUMNS, type StoredEventRow } from '../stored-event-row.js';
import { PROFILE_CONTENT_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';
import { contentEventOf, CURRENT_CONTENT_EVENTS, type DataHead } from './read-latest-content.js';

/** One chunk of the whole log: each event as stored (for the chain check), and as a fold takes it (undefined: left out; made when asked). */
export interface LogChunk {
  records: EventRecord[];
  eventAt(index: number): StoredEvent | undefined;
}

/** Numbers by position, 0 where unset: an array while positions are dense, a Map where a damaged log has far-off ones. */
const numbersByPosition = (lastPosition: number, events: number) => {
  if (lastPosition <= 2 * events + 1024) {
    const numbers = new Float64Array(lastPosition + 1);
    return { get: (position: number) => numbers[position], set: (position: number, value: number) => void (numbers[position] = value) };
  }
  const numbers = new Map<number, number>();
  return { get: (position: number) => numbers.get(position) ?? 0, set: (position: number, value: number) => void numbers.set(position, value) };
};

/**
 * The profile and version each content event of the current shape names, by position, and which
 * of them are their profile's last content event: all read from the profile index, which holds
 * both (no event's content is parsed), one stream at a time.
 */
const contentHeads = async (sql: SqlExecutor) => {
  const [lastPosition, events] = [await sql.events.lastPosition(), await sql.events.countEvents()];
  const profileIds = numbersByPosition(lastPosition, events);
  const versions = numbersByPosition(lastPosition, events);
  const latest = numbersByPosition(lastPosition, events);
  const profiles: string[] = [''];
  const idOf = new Map<string, number>();
  const { flavour } = sql;
  for (const { streamId } of await sql.events.listStreams()) {
    const rows = await sql.all<{ position: number | string; stream_version: number | string; current: number | boolean; profile: string | null; version: number | string | null }>(
      `SELECT position, stream_version, CASE WHEN ${CURRENT_CONTENT_EVENTS} THEN 1 ELSE 0 END AS current,
         ${profileOfData(flavour)} AS profile, ${profileVersionOfData(flavour)} AS version
       FROM events WHERE stream_id = $1 AND type IN ${PROFILE_CONTENT_EVENTS}`,
      [streamId],
    );
    const last = new Map<string, { position: number; version: number }>();
    for (const row of rows) {
      const position = Number(row.position);
      const streamVersion = Number(row.stream_version);
      const profile = row.profile ?? '';
      if (row.current && row.profile !== null && row.version !== null) {
        let id = idOf.get(profile);
        if (id === undefined) idOf.set(profile, (id = profiles.push(profile) - 1));
        profileIds.set(position, id);
        versions.set(position, Number(row.version));
      }
      const seen = last.get(profile);
      if (!seen || streamVersion > seen.version) last.set(profile, { position, version: streamVersion });
    }
    for (const { position } of last.values()) latest.set(position, 1);
  }
  return {
    isLatest: (position: number) => latest.get(position) === 1,
    head: (position: number): DataHead => {
      const id = profileIds.get(position);
      return id === 0 ? { head_profile: null, head_version: null } : { head_profile: profiles[id], head_version: versions.get(position) };
    },
  };
};

/**
 * The whole log in position order, `chunkSize` events at a time, for folding every stream to its
 * end in one read (the rebuild): each event's stored bytes, and the event as readLatestContent
 * gives it to a fold (content that a later event of its profile replaces is not parsed; a replaced
 * update is left out unless `keepReplaced`). Reading the log once both to check the hash chain and
 * to fold halves what the rebuild reads (each event's ~4 KB of content: 5 GB for 1,000,000 events).
 */
export async function* readLogForFold(sql: SqlExecutor, { chunkSize, keepReplaced }: { chunkSize: number; keepReplaced: boolean }): AsyncIterable<LogChunk> {
  const heads = await contentHeads(sql);
  const text = `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`;
  for (let after = 0; ; ) {
    const rows = await sql.all<StoredEventRow>(text, [after, chunkSize]);
    const records = rows.map(eventRecordFromRow);
    const eventAt = (index: number): StoredEvent | undefined => {
      const row = rows[index];
      const { position } = records[index];
      const isLatest = heads.isLatest(position);
      if (!keepReplaced && !isLatest && row.type === 'profile.updated') return undefined;
      return contentEventOf(row, isLatest, heads.head(position));
    };
    yield { records, eventAt };
    if (rows.length < chunkSize) return;
    after = records[records.length - 1].position;
  }
}
