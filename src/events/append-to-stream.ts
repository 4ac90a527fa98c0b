import { eventHash, GENESIS_HASH } from './event-hash.js';
import { eventDataJson } from '../domain/content-json.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import type { SqlExecutor } from './sql-database.js';
import { StreamVersionConflict } from './stream-version-conflict.js';

interface StreamHeadRow {
  version: number | string;
  last_hash: string;
}

export interface StreamHead {
  version: number;
  hash: string;
}

export const readStreamHead = async (executor: SqlExecutor, streamId: string): Promise<StreamHead> => {
  const row = await executor.get<StreamHeadRow>('SELECT version, last_hash FROM streams WHERE stream_id = ?', [streamId]);
  return row ? { version: Number(row.version), hash: row.last_hash } : { version: 0, hash: GENESIS_HASH };
};

/**
 * Appends events to a stream inside the caller's transaction, after checking that the stream is
 * still at `expectedVersion`. The UNIQUE (stream_id, stream_version) constraint backs the check.
 */
export const appendToStream = async (
  tx: SqlExecutor,
  streamId: string,
  expectedVersion: number,
  events: readonly DomainEvent[],
): Promise<StoredEvent[]> => {
  const head = await readStreamHead(tx, streamId);
  if (head.version !== expectedVersion) throw new StreamVersionConflict(streamId, expectedVersion, head.version);
  const stored: StoredEvent[] = [];
  let prevHash = head.hash;
  let version = head.version;
  let position = 0;
  for (const event of events) {
    version += 1;
    const fields = {
      stream_id: streamId,
      stream_version: version,
      type: event.type,
      schema_version: event.schema_version,
      data_json: eventDataJson(event.data),
      metadata_json: JSON.stringify(event.metadata),
    };
    const hash = eventHash(prevHash, fields);
    const row = await tx.get<{ position: number | string }>(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`,
      [
        streamId,
        version,
        event.type,
        event.schema_version,
        fields.data_json,
        fields.metadata_json,
        event.metadata.occurred_at_ms,
        prevHash,
        hash,
      ],
    );
    position = Number(row?.position);
    stored.push({ ...event, position, stream_id: streamId, stream_version: version, prev_hash: prevHash, hash });
    prevHash = hash;
  }
  if (stored.length > 0) {
    await tx.run(
      `INSERT INTO streams (stream_id, version, last_hash, last_position) VALUES (?, ?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash,
       last_position = excluded.last_position`,
      [streamId, version, prevHash, position],
    );
  }
  return stored;
};
