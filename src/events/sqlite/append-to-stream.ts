import { chainEvents, storedEventOf } from '../chain-events.js';
import type { EventStoreOperations } from '../event-store.js';
import type { StoredEvent } from '../event-types.js';
import type { SqlStatements } from '../sql-database.js';
import { streamHead } from '../sql/stream-head.js';

/**
 * The last position handed out: AUTOINCREMENT keeps it in sqlite_sequence, which a rolled-back
 * transaction or savepoint takes back with its events and no delete moves back, so positions have
 * no gaps and a deleted tail leaves a hole before the next event (the log's last position, if the
 * sequence row is gone).
 */
const lastHandedOut = async (sql: SqlStatements): Promise<number> =>
  Number(
    (
      await sql.get<{ last: number | string | null }>(
        `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                COALESCE((SELECT MAX(position) FROM events), 0)) AS last`,
      )
    )?.last ?? 0,
  );

/**
 * Appends inside the caller's transaction (the writer connection: no other writer runs). One
 * prepared INSERT per event, at the position its hash binds; the UNIQUE (stream_id,
 * stream_version) constraint backs the check.
 */
export const appendToStream: EventStoreOperations<SqlStatements>['appendToStream'] = async (sql, streamId, expectedVersion, events) => {
  const head = await streamHead(sql, streamId);
  const chained = chainEvents(streamId, head, expectedVersion, events, (await lastHandedOut(sql)) + 1);
  const stored: StoredEvent[] = [];
  for (const event of chained) {
    await sql.run(
      `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [event.position, streamId, event.stream_version, event.type, event.schema_version, event.data_json, event.metadata_json, event.occurred_at_ms, event.prev_hash, event.hash],
    );
    stored.push(storedEventOf(event));
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
