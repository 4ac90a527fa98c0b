import { chainEvents, storedEventOf } from '../chain-events.js';
import { GENESIS_HASH } from '../event-hash.js';
import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/**
 * Appends inside the caller's transaction, which holds the append lock (see open-postgres.ts), so
 * positions are handed out in commit order. The positions come from `event_positions`, moved in
 * the same statement that reads the stream's head: a rolled-back transaction or savepoint takes
 * them back (a sequence would leave a gap), and a deleted tail does not move it back, so the next
 * event's hash binds a position past the hole (never below the log's end either, if the row was
 * set back). All events go in one INSERT (one round trip), at the positions their hashes bind;
 * the UNIQUE (stream_id, stream_version) constraint backs the version check.
 */
export const appendToStream: EventStoreOperations<SqlStatements>['appendToStream'] = async (sql, streamId, expectedVersion, events) => {
  if (events.length === 0) return [];
  // the counter moves only when the stream is at the expected version: a refused append hands out no position
  const row = await sql.get<{ last_position: number | string | null; version: number | string | null; last_hash: string | null }>(
    `WITH head AS (SELECT version, last_hash FROM streams WHERE stream_id = $1),
     counter AS (
       INSERT INTO event_positions (id, last_position)
       SELECT 1, (SELECT coalesce(max(position), 0) FROM events) + $2 WHERE coalesce((SELECT version FROM head), 0) = $3
       ON CONFLICT (id) DO UPDATE
         SET last_position = greatest(event_positions.last_position, (SELECT coalesce(max(position), 0) FROM events)) + $2
       RETURNING last_position
     )
     SELECT (SELECT last_position FROM counter) AS last_position, (SELECT version FROM head) AS version, (SELECT last_hash FROM head) AS last_hash`,
    [streamId, events.length, expectedVersion],
  );
  const head = row?.version == null ? { version: 0, hash: GENESIS_HASH } : { version: Number(row.version), hash: row.last_hash as string };
  const chained = chainEvents(streamId, head, expectedVersion, events, Number(row?.last_position) - events.length + 1);
  const last = chained[chained.length - 1];
  await sql.run(
    `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
     SELECT e.position, $1, e.stream_version, e.type, e.schema_version, e.data_json, e.metadata_json, e.occurred_at_ms, e.prev_hash, e.hash
     FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])
       AS e(position, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)`,
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
    ],
  );
  await sql.run(
    `INSERT INTO streams (stream_id, version, last_hash, last_position) VALUES ($1, $2, $3, $4)
     ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash,
     last_position = excluded.last_position`,
    [streamId, last.stream_version, last.hash, last.position],
  );
  return chained.map(storedEventOf);
};
