import { chainEvents, storedEventOf, type ChainedEvent } from '../chain-events.js';
import type { EventStoreOperations, StreamHead } from '../event-store.js';
import { GENESIS_HASH } from '../event-hash.js';
import type { RunAhead } from '../run-ahead.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';

/**
 * What this process last wrote: the heads by stream and the last position it handed out. Guesses
 * that spare the read of the head and of the position counter before the next append. They are
 * only ever guesses: the INSERT below writes nothing unless the stream's row holds exactly that
 * version and hash and `event_positions` that position (a rolled-back write, or another
 * instance's, makes it miss), and then both are read and the append tried once more.
 */
export interface StreamHeadGuesses {
  heads: Map<string, StreamHead>;
  lastPosition?: number;
}

export const createStreamHeadGuesses = (): StreamHeadGuesses => ({ heads: new Map() });

/**
 * Appends the chained events at their positions, moves the position counter and the stream's
 * head in one statement (one round trip), if the stream's head is still `head` and the counter
 * still `lastPosition`; gives whether it did. The head of a stream that has one is moved by an
 * UPDATE, not an upsert: INSERT ... ON CONFLICT DO UPDATE locks the row first, and in the
 * savepoint of a batch's next command that lock made a MultiXact of the row's every version, which
 * each later read of the row in the batch looked up (a sixth of the backend's CPU per PATCH).
 */
const insertIfHeadIs = async (sql: SqlStatements, streamId: string, head: StreamHead, lastPosition: number, chained: ChainedEvent[]) => {
  const last = chained.at(-1) as ChainedEvent;
  const rows = await sql.all<{ position: number }>(
    `WITH current AS (
       SELECT coalesce((SELECT version = $11 AND last_hash = $12 FROM streams WHERE stream_id = $1), $11 = 0 AND $12 = $13)
              AND (SELECT last_position FROM event_positions WHERE id = 1) = $14 AS ok),
     counter AS (
       UPDATE event_positions SET last_position = $15 WHERE id = 1 AND (SELECT ok FROM current)),
     inserted AS (
       INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       SELECT e.position, $1, e.stream_version, e.type, e.schema_version, e.data_json, e.metadata_json, e.occurred_at_ms, e.prev_hash, e.hash
       FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])
         AS e(position, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       WHERE (SELECT ok FROM current)
       RETURNING position),
     moved AS (
       UPDATE streams SET version = $16, last_hash = $17, last_position = $15 WHERE stream_id = $1 AND (SELECT ok FROM current)),
     started AS (
       INSERT INTO streams (stream_id, version, last_hash, last_position)
       SELECT $1, $16, $17, $15 WHERE (SELECT ok FROM current) AND $11 = 0)
     SELECT position FROM inserted`,
    [
      streamId,
      chained.map((event) => event.position),
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
      lastPosition,
      last.position,
      last.stream_version,
      last.hash,
    ],
  );
  return rows.length === chained.length;
};

/**
 * The last position handed out: `event_positions`, moved in the write transaction (so a rolled-back
 * transaction or savepoint takes its numbers back, where a sequence would leave a gap) and never
 * moved back by a delete, so the next event's hash binds a position past a deleted tail. Created
 * (from the log's end) if someone removed its row.
 */
const readLastPosition = async (sql: SqlStatements): Promise<number> => {
  const row = await sql.get<{ last_position: number | string }>(
    `INSERT INTO event_positions (id, last_position) SELECT 1, coalesce(max(position), 0) FROM events
     ON CONFLICT (id) DO UPDATE SET last_position = event_positions.last_position RETURNING last_position`,
  );
  return Number(row?.last_position ?? 0);
};

/**
 * Appends inside the caller's transaction, which holds the append lock (see open-postgres.ts), so
 * positions are handed out in commit order and without gaps. All events, the counter and the
 * stream's new head go in one statement, at the positions the events' hashes bind; the UNIQUE
 * (stream_id, stream_version) constraint backs the version check. With `guesses`, the reads of the
 * head and the counter are skipped when the guessed head is the expected one; with `runAhead` too,
 * the append on the guessed head is not waited for: whether it held goes to `runAhead`, and the
 * events are returned as they will be stored if it did (a miss makes the batch run again).
 */
export const appendToStreamWith =
  (guesses?: StreamHeadGuesses): EventStoreOperations<SqlStatements>['appendToStream'] =>
  async (sql, streamId, expectedVersion, events, runAhead?: RunAhead) => {
    if (events.length === 0) {
      chainEvents(streamId, await streamHead(sql, streamId), expectedVersion, events, 1);
      return [];
    }
    const guess = guesses?.heads.get(streamId);
    const guessed = guess?.version === expectedVersion && guesses?.lastPosition !== undefined;
    let head = guessed ? (guess as StreamHead) : await streamHead(sql, streamId);
    let lastPosition = guessed ? (guesses?.lastPosition as number) : await readLastPosition(sql);
    let chained = chainEvents(streamId, head, expectedVersion, events, lastPosition + 1);
    if (guessed && runAhead) {
      runAhead.confirm(insertIfHeadIs(sql, streamId, head, lastPosition, chained));
      return guessedAppend(guesses as StreamHeadGuesses, streamId, chained);
    }
    let inserted = await insertIfHeadIs(sql, streamId, head, lastPosition, chained);
    if (!inserted && guessed) {
      head = await streamHead(sql, streamId);
      lastPosition = await readLastPosition(sql);
      chained = chainEvents(streamId, head, expectedVersion, events, lastPosition + 1);
      inserted = await insertIfHeadIs(sql, streamId, head, lastPosition, chained);
    }
    // the head and the counter were read in this transaction, which holds the append lock: nothing moved them since
    if (!inserted) throw new Error(`the head of stream ${streamId} moved while the append lock was held`);
    return guesses ? guessedAppend(guesses, streamId, chained) : chained.map(storedEventOf);
  };

/** The next append's guesses: this one's head and last position. */
const guessedAppend = (guesses: StreamHeadGuesses, streamId: string, chained: ChainedEvent[]) => {
  const last = chained.at(-1) as ChainedEvent;
  guesses.heads.set(streamId, { version: last.stream_version, hash: last.hash });
  guesses.lastPosition = last.position;
  return chained.map(storedEventOf);
};

export const appendToStream = appendToStreamWith();
