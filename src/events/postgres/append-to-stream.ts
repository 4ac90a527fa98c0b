import { chainEvents, storedEventOf, type ChainedEvent } from '../chain-events.js';
import type { EventStoreOperations, StreamHead } from '../event-store.js';
import { GENESIS_HASH } from '../event-hash.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';

/**
 * The heads this process last wrote, by stream: a guess that spares the head query of the next
 * append to the same stream. It is only ever a guess: the INSERT below writes nothing unless the
 * stream's row holds exactly that version and hash (a rolled-back write, or another instance's,
 * makes it miss), and then the head is read and the append tried once more.
 */
export type StreamHeadGuesses = Map<string, StreamHead>;

/**
 * Appends the chained events and moves the stream's head in one statement (one round trip), if
 * the stream's head is still `head`; gives the events' positions, or undefined when it is not.
 */
const insertIfHeadIs = async (sql: SqlStatements, streamId: string, head: StreamHead, chained: ChainedEvent[]) => {
  const last = chained.at(-1) as ChainedEvent;
  const rows = await sql.all<{ position: number }>(
    `WITH current AS (
       SELECT coalesce((SELECT version FROM streams WHERE stream_id = $1), 0) AS version,
              coalesce((SELECT last_hash FROM streams WHERE stream_id = $1), $12) AS last_hash),
     inserted AS (
       INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       SELECT $1, e.stream_version, e.type, e.schema_version, e.data_json, e.metadata_json, e.occurred_at_ms, e.prev_hash, e.hash
       FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
         WITH ORDINALITY AS e(stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash, n)
       WHERE (SELECT version = $10 AND last_hash = $11 FROM current)
       ORDER BY e.n
       RETURNING position),
     moved AS (
       INSERT INTO streams (stream_id, version, last_hash, last_position)
       SELECT $1, $13, $14, max(position) FROM inserted HAVING count(*) > 0
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash,
       last_position = excluded.last_position)
     SELECT position FROM inserted`,
    [
      streamId,
      chained.map((event) => event.stream_version),
      chained.map((event) => event.type),
      chained.map((event) => event.schema_version),
      chained.map((event) => event.data_json),
      chained.map((event) => event.metadata_json),
      chained.map((event) => event.occurred_at_ms),
      chained.map((event) => event.prev_hash),
      chained.map((event) => event.hash),
      head.version,
      head.hash,
      GENESIS_HASH,
      last.stream_version,
      last.hash,
    ],
  );
  // positions grow with the rows' order of insertion, which is the events' order
  return rows.length === 0 ? undefined : rows.map((row) => row.position).sort((a, b) => a - b);
};

/**
 * Appends inside the caller's transaction, which holds the append lock (see open-postgres.ts), so
 * positions are handed out in commit order. All events and the stream's new head go in one
 * statement, numbered in their order; the UNIQUE (stream_id, stream_version) constraint backs the
 * version check. With `guesses`, the head query is skipped when the guessed head is the expected one.
 */
export const appendToStreamWith =
  (guesses?: StreamHeadGuesses): EventStoreOperations<SqlStatements>['appendToStream'] =>
  async (sql, streamId, expectedVersion, events) => {
    if (events.length === 0) {
      chainEvents(streamId, await streamHead(sql, streamId), expectedVersion, events);
      return [];
    }
    const guess = guesses?.get(streamId);
    let head = guess?.version === expectedVersion ? guess : await streamHead(sql, streamId);
    let chained = chainEvents(streamId, head, expectedVersion, events);
    let positions = await insertIfHeadIs(sql, streamId, head, chained);
    if (positions === undefined && head === guess) {
      head = await streamHead(sql, streamId);
      chained = chainEvents(streamId, head, expectedVersion, events);
      positions = await insertIfHeadIs(sql, streamId, head, chained);
    }
    // the head was read in this transaction, which holds the append lock: nothing moved it since
    if (positions === undefined) throw new Error(`the head of stream ${streamId} moved while the append lock was held`);
    const last = chained.at(-1) as ChainedEvent;
    guesses?.set(streamId, { version: last.stream_version, hash: last.hash });
    return chained.map((event, index) => storedEventOf(event, (positions as number[])[index]));
  };

export const appendToStream = appendToStreamWith();
