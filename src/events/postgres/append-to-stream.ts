import { chainEvents, storedEventOf } from '../chain-events.js';
import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';

/**
 * Appends inside the caller's transaction, which holds the append lock (see open-postgres.ts), so
 * positions are handed out in commit order. All events go in one INSERT (one round trip), numbered
 * in their order; the UNIQUE (stream_id, stream_version) constraint backs the version check.
 */
export const appendToStream: EventStoreOperations<SqlStatements>['appendToStream'] = async (sql, streamId, expectedVersion, events) => {
  const chained = chainEvents(streamId, await streamHead(sql, streamId), expectedVersion, events);
  const last = chained.at(-1);
  if (!last) return [];
  const rows = await sql.all<{ position: number }>(
    `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
     SELECT $1, e.stream_version, e.type, e.schema_version, e.data_json, e.metadata_json, e.occurred_at_ms, e.prev_hash, e.hash
     FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
       WITH ORDINALITY AS e(stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash, n)
     ORDER BY e.n
     RETURNING position`,
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
    ],
  );
  // positions grow with the rows' order of insertion, which is the events' order
  const positions = rows.map((row) => row.position).sort((a, b) => a - b);
  await sql.run(
    `INSERT INTO streams (stream_id, version, last_hash, last_position) VALUES ($1, $2, $3, $4)
     ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash,
     last_position = excluded.last_position`,
    [streamId, last.stream_version, last.hash, positions.at(-1)],
  );
  return chained.map((event, index) => storedEventOf(event, positions[index]));
};
