import { chainEvents, storedEventOf } from '../chain-events.js';
import type { EventStoreOperations } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';

/**
 * Appends inside the caller's transaction (the writer connection: no other writer runs). One
 * prepared INSERT per event; the UNIQUE (stream_id, stream_version) constraint backs the check.
 */
export const appendToStream: EventStoreOperations<SqlStatements>['appendToStream'] = async (sql, streamId, expectedVersion, events) => {
  const chained = chainEvents(streamId, await streamHead(sql, streamId), expectedVersion, events);
  const stored: StoredEvent[] = [];
  for (const event of chained) {
    const row = await sql.get<{ position: number }>(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING position`,
      [streamId, event.stream_version, event.type, event.schema_version, event.data_json, event.metadata_json, event.occurred_at_ms, event.prev_hash, event.hash],
    );
    stored.push(storedEventOf(event, Number(row?.position)));
  }
  const last = stored.at(-1);
  if (last) {
    await sql.run(
      `INSERT INTO streams (stream_id, version, last_hash, last_position) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash,
       last_position = excluded.last_position`,
      [streamId, last.stream_version, last.hash, last.position],
    );
  }
  return stored;
};
