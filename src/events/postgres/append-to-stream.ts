import { chainEvents, storedEventOf, type ChainedEvent } from '../chain-events.js';
import type { EventStoreOperations, StreamHead } from '../event-store.js';
import { GENESIS_HASH } from '../event-hash.js';
import { GuessMissed, type RunAhead } from '../run-ahead.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';
import { PROFILE_COPY, PROFILE_VERSION_COPY, profileCopiesOf } from '../sql/profile-columns.js';

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
       SELECT coalesce((SELECT version = $13 AND last_hash = $14 FROM streams WHERE stream_id = $1), $13 = 0 AND $14 = $15)
              AND (SELECT last_position FROM event_positions WHERE id = 1) = $16 AS ok),
     counter AS (
       UPDATE event_positions SET last_position = $17 WHERE id = 1 AND (SELECT ok FROM current)),
     inserted AS (${insertEventsOf(chained)} RETURNING position),
     moved AS (
       UPDATE streams SET version = $18, last_hash = $19, last_position = $17 WHERE stream_id = $1 AND (SELECT ok FROM current)),
     started AS (
       INSERT INTO streams (stream_id, version, last_hash, last_position)
       SELECT $1, $18, $19, $17 WHERE (SELECT ok FROM current) AND $13 = 0)
     SELECT position FROM inserted`,
    [...eventParams(streamId, chained), head.version, head.hash, GENESIS_HASH, lastPosition, last.position, last.stream_version, last.hash],
  );
  return rows.length === chained.length;
};

/** An event's fields as the append binds them ($2 on), with copies of its profile and version (see profile-columns.ts). */
const EVENT_FIELDS = 'position, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash, profile, profile_version';
const EVENT_FIELD_TYPES = ['bigint', 'bigint', 'text', 'int', 'text', 'text', 'bigint', 'text', 'text', 'text', 'bigint'];

const fieldsOf = (event: ChainedEvent): unknown[] => [
  event.position,
  event.stream_version,
  event.type,
  event.schema_version,
  event.data_json,
  event.metadata_json,
  event.occurred_at_ms,
  event.prev_hash,
  event.hash,
  ...profileCopiesOf(event.event.data),
];

/**
 * The events of an append, inserted if `current` says ok: $1 the stream, then each field (see
 * `eventParams`). One event's fields are plain parameters; several events' are an array per field,
 * whose text literal the driver escapes and the server parses back (a twentieth of the server's
 * CPU per PATCH for an event of 4 kB of JSON).
 */
const insertEvents = (one: boolean) => {
  const rows = one
    ? `(VALUES (${EVENT_FIELD_TYPES.map((type, index) => `$${index + 2}::${type}`).join(', ')}))`
    : `unnest(${EVENT_FIELD_TYPES.map((type, index) => `$${index + 2}::${type}[]`).join(', ')})`;
  return `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash,
         ${PROFILE_COPY}, ${PROFILE_VERSION_COPY})
       SELECT e.position, $1, e.stream_version, e.type, e.schema_version, e.data_json, e.metadata_json, e.occurred_at_ms, e.prev_hash, e.hash,
         e.profile, e.profile_version
       FROM ${rows} AS e(${EVENT_FIELDS})
       WHERE (SELECT ok FROM current)`;
};
const INSERT_ONE_EVENT = insertEvents(true);
const INSERT_EVENTS = insertEvents(false);
const insertEventsOf = (chained: ChainedEvent[]) => (chained.length === 1 ? INSERT_ONE_EVENT : INSERT_EVENTS);

const eventParams = (streamId: string, chained: ChainedEvent[]): unknown[] => {
  const rows = chained.map(fieldsOf);
  if (rows.length === 1) return [streamId, ...(rows[0] as unknown[])];
  return [streamId, ...EVENT_FIELD_TYPES.map((_, field) => rows.map((row) => row[field]))];
};

/**
 * What a batch run ahead puts off to its end: moving the position counter and the heads of the
 * streams it appended to. Moved once per command, each row got a new version per command in one
 * transaction, and every later read of it in the batch (the check of each append, the UPDATE's own
 * search) walked all of them: a quarter of the backend's CPU per PATCH at 24 PATCHes a batch.
 */
interface PutOff {
  /** The counter as the batch found it (checked by its first append), and as its last append left it. */
  fromPosition: number;
  lastPosition: number;
  /** Per stream: its head after the batch's last append to it, and whether the batch started it. */
  heads: Map<string, { head: StreamHead; position: number; started: boolean }>;
}
const putOffs = new WeakMap<RunAhead, PutOff>();

/**
 * An append of a batch run ahead: its events only. The batch's first append checks the counter,
 * each stream's first append its head (as `insertIfHeadIs` does); a later one follows an append of
 * the same batch, which the batch's end confirms with the rest. Gives whether it inserted them.
 */
const insertAhead = async (sql: SqlStatements, streamId: string, head: StreamHead | undefined, lastPosition: number | undefined, chained: ChainedEvent[]) => {
  const rows = await sql.all<{ position: number }>(
    `WITH current AS (
       SELECT ($13::bigint IS NULL OR coalesce((SELECT version = $13 AND last_hash = $14 FROM streams WHERE stream_id = $1), $13 = 0 AND $14 = $15))
              AND ($16::bigint IS NULL OR (SELECT last_position FROM event_positions WHERE id = 1) = $16) AS ok)
     ${insertEventsOf(chained)} RETURNING position`,
    [...eventParams(streamId, chained), head?.version ?? null, head?.hash ?? null, GENESIS_HASH, lastPosition ?? null],
  );
  return rows.length === chained.length;
};

/** The batch's end: the counter and each stream's head moved to where its appends left them, in one statement. */
const moveHeads = async (sql: SqlStatements, putOff: PutOff) => {
  const moved = [...putOff.heads].filter(([, end]) => !end.started);
  const started = [...putOff.heads].filter(([, end]) => end.started);
  const columns = (ends: typeof moved) => [
    ends.map(([streamId]) => streamId),
    ends.map(([, end]) => end.head.version),
    ends.map(([, end]) => end.head.hash),
    ends.map(([, end]) => end.position),
  ];
  const row = await sql.get<{ n: number | string }>(
    `WITH counter AS (
       UPDATE event_positions SET last_position = $1 WHERE id = 1 AND last_position = $2 RETURNING 1),
     moved AS (
       UPDATE streams s SET version = m.version, last_hash = m.last_hash, last_position = m.last_position
       FROM unnest($3::text[], $4::bigint[], $5::text[], $6::bigint[]) AS m(stream_id, version, last_hash, last_position)
       WHERE s.stream_id = m.stream_id RETURNING 1),
     started AS (
       INSERT INTO streams (stream_id, version, last_hash, last_position)
       SELECT * FROM unnest($7::text[], $8::bigint[], $9::text[], $10::bigint[]) RETURNING 1)
     SELECT (SELECT count(*) FROM counter) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM started) AS n`,
    [putOff.lastPosition, putOff.fromPosition, ...columns(moved), ...columns(started)],
  );
  return Number(row?.n) === 1 + putOff.heads.size;
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
      const putOff = runAhead && putOffs.get(runAhead)?.heads.get(streamId);
      chainEvents(streamId, putOff ? putOff.head : await streamHead(sql, streamId), expectedVersion, events, 1);
      return [];
    }
    // a stream this process never wrote is guessed not to exist when the command expects so
    const guess = guesses?.heads.get(streamId) ?? (expectedVersion === 0 ? { version: 0, hash: GENESIS_HASH } : undefined);
    const guessed = guess?.version === expectedVersion && guesses?.lastPosition !== undefined;
    // the rows a batch run ahead put off moving are not where it left them: it is run again
    if (!guessed && runAhead && putOffs.has(runAhead)) throw new GuessMissed();
    let head = guessed ? (guess as StreamHead) : await streamHead(sql, streamId);
    let lastPosition = guessed ? (guesses?.lastPosition as number) : await readLastPosition(sql);
    let chained = chainEvents(streamId, head, expectedVersion, events, lastPosition + 1);
    if (guessed && runAhead) {
      appendAhead(sql, runAhead, streamId, head, lastPosition, chained);
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

/** Sends an append of a batch run ahead (see `insertAhead`) and notes what it put off to the batch's end. */
const appendAhead = (sql: SqlStatements, runAhead: RunAhead, streamId: string, head: StreamHead, lastPosition: number, chained: ChainedEvent[]) => {
  let putOff = putOffs.get(runAhead);
  const first = putOff?.heads.get(streamId);
  runAhead.confirm(insertAhead(sql, streamId, first ? undefined : head, putOff ? undefined : lastPosition, chained));
  if (putOff === undefined) {
    const created: PutOff = { fromPosition: lastPosition, lastPosition, heads: new Map() };
    putOffs.set(runAhead, created);
    runAhead.atEnd(created, () => moveHeads(sql, created));
    putOff = created;
  }
  const last = chained.at(-1) as ChainedEvent;
  putOff.heads.set(streamId, { head: { version: last.stream_version, hash: last.hash }, position: last.position, started: first ? first.started : head.version === 0 });
  putOff.lastPosition = last.position;
};

/** The next append's guesses: this one's head and last position. */
const guessedAppend = (guesses: StreamHeadGuesses, streamId: string, chained: ChainedEvent[]) => {
  const last = chained.at(-1) as ChainedEvent;
  guesses.heads.set(streamId, { version: last.stream_version, hash: last.hash });
  guesses.lastPosition = last.position;
  return chained.map(storedEventOf);
};

export const appendToStream = appendToStreamWith();
