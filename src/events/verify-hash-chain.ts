import { eventHash, GENESIS_HASH } from './event-hash.js';
import type { SqlExecutor } from './sql-database.js';
import { STORED_EVENT_COLUMNS, type StoredEventRow } from './stored-event-row.js';

export interface ChainBreak {
  position: number;
  streamId: string;
  streamVersion: number;
  reason: string;
}

export interface ChainReport {
  events: number;
  streams: number;
  broken?: ChainBreak;
}

/**
 * Recomputes every event's hash from its stored bytes and its stream's previous hash, in position
 * order, and checks the stream heads: the first event whose bytes, order or link do not match is
 * named by its position.
 */
export const verifyHashChain = async (
  executor: SqlExecutor,
  options: { chunkSize?: number; onEvents?: (count: number) => void } = {},
): Promise<ChainReport> => {
  const chunkSize = options.chunkSize ?? 5000;
  const heads = new Map<string, { version: number; hash: string; position: number }>();
  let events = 0;
  for (let after = 0; ; ) {
    // the stored bytes as they are (not parsed): the hash covers them
    const rows = await executor.all<StoredEventRow>(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, chunkSize],
    );
    for (const row of rows) {
      const position = Number(row.position);
      const streamVersion = Number(row.stream_version);
      const head = heads.get(row.stream_id) ?? { version: 0, hash: GENESIS_HASH, position: 0 };
      const fail = (reason: string): ChainReport => ({
        events,
        streams: heads.size,
        broken: { position, streamId: row.stream_id, streamVersion, reason },
      });
      if (streamVersion !== head.version + 1) return fail(`stream version ${streamVersion} follows ${head.version}`);
      if (row.prev_hash !== head.hash) return fail('its prev_hash does not match the hash of the event before it');
      const hash = eventHash(head.hash, { ...row, stream_version: streamVersion });
      if (hash !== row.hash) return fail('its stored bytes do not match its hash');
      heads.set(row.stream_id, { version: streamVersion, hash, position });
      events += 1;
    }
    options.onEvents?.(rows.length);
    if (rows.length < chunkSize) break;
    after = Number(rows[rows.length - 1].position);
  }
  const streams = await executor.all<{ stream_id: string; version: number | string; last_hash: string }>(
    'SELECT stream_id, version, last_hash FROM streams',
  );
  for (const stream of streams) {
    const head = heads.get(stream.stream_id);
    if (!head || head.version !== Number(stream.version) || head.hash !== stream.last_hash) {
      return {
        events,
        streams: heads.size,
        broken: {
          position: head?.position ?? 0,
          streamId: stream.stream_id,
          streamVersion: Number(stream.version),
          reason: 'the stream head does not match its last event',
        },
      };
    }
  }
  const listed = new Set(streams.map((stream) => stream.stream_id));
  for (const [streamId, head] of heads) {
    if (!listed.has(streamId)) {
      return {
        events,
        streams: heads.size,
        broken: { position: head.position, streamId, streamVersion: head.version, reason: 'its stream has no head' },
      };
    }
  }
  return { events, streams: heads.size };
};

/** `event at position 7 (registry "team", version 5): <reason>`: how every tool names a break. */
export const describeChainBreak = (broken: ChainBreak): string =>
  `event at position ${broken.position} (registry "${broken.streamId}", version ${broken.streamVersion}): ${broken.reason}`;

/**
 * SQLite hands out event positions from `sqlite_sequence`, which only a commit moves and no delete
 * moves back: a log that ends before the last position handed out lost its tail. (PostgreSQL's
 * sequences skip values on rollback, so there the gap proves nothing.)
 */
export const lostTail = async (executor: SqlExecutor): Promise<string | undefined> => {
  const { positionsHandedOut } = executor.flavour;
  if (positionsHandedOut === undefined) return undefined;
  const seq = await executor.get<{ seq: number | string }>(positionsHandedOut);
  const handedOut = Number(seq?.seq ?? 0);
  const lastPosition = await executor.events.lastPosition();
  if (handedOut <= lastPosition) return undefined;
  return `the log ends at position ${lastPosition} but positions up to ${handedOut} were committed: events were deleted from its tail`;
};

/**
 * The cheap half of the chain check, for a server's start: each stream head must name its stream's
 * last event, whose stored bytes must still give its hash. O(streams), whatever the history's length.
 */
export const verifyStreamHeads = async (executor: SqlExecutor): Promise<ChainBreak | undefined> => {
  const rows = await executor.all<StoredEventRow & { head_version: number | string; last_hash: string; last_version: number | string | null }>(
    `SELECT s.stream_id AS stream_id, s.version AS head_version, s.last_hash AS last_hash,
       (SELECT MAX(m.stream_version) FROM events m WHERE m.stream_id = s.stream_id) AS last_version,
       e.position AS position, e.stream_version AS stream_version, e.type AS type, e.schema_version AS schema_version,
       e.data_json AS data_json, e.metadata_json AS metadata_json, e.prev_hash AS prev_hash, e.hash AS hash
     FROM streams s LEFT JOIN events e ON e.stream_id = s.stream_id AND e.stream_version = s.version
     ORDER BY s.stream_id`,
  );
  for (const row of rows) {
    const version = Number(row.head_version);
    const broken = (reason: string): ChainBreak => ({ position: Number(row.position ?? 0), streamId: row.stream_id, streamVersion: version, reason });
    if (row.hash === null || row.hash === undefined) return broken('the stream head names an event that does not exist');
    if (Number(row.last_version) !== version) return broken(`the stream head is at version ${version} but its events go on to ${Number(row.last_version)}`);
    if (row.hash !== row.last_hash) return broken('the stream head does not match its last event');
    if (eventHash(row.prev_hash, { ...row, stream_version: version }) !== row.hash) return broken('its stored bytes do not match its hash');
  }
  const orphan = await executor.get<{ stream_id: string }>(
    'SELECT e.stream_id AS stream_id FROM events e LEFT JOIN streams s ON s.stream_id = e.stream_id WHERE s.stream_id IS NULL LIMIT 1',
  );
  if (orphan) return { position: 0, streamId: orphan.stream_id, streamVersion: 0, reason: 'its stream has no head' };
  return undefined;
};
