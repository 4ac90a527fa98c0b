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
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
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
  return { events, streams: heads.size };
};
