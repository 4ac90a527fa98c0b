import type { EventRecord } from './event-store.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import { upcastEventData } from './upcast-event.js';

export interface StoredEventRow {
  position: number | string;
  stream_id: string;
  stream_version: number | string;
  type: string;
  schema_version: number;
  data_json: string;
  metadata_json: string;
  prev_hash: string;
  hash: string;
}

export const STORED_EVENT_COLUMNS =
  'position, stream_id, stream_version, type, schema_version, data_json, metadata_json, prev_hash, hash';

export const storedEventFromRow = (row: StoredEventRow): StoredEvent =>
  ({
    position: Number(row.position),
    stream_id: row.stream_id,
    stream_version: Number(row.stream_version),
    type: row.type,
    schema_version: row.schema_version,
    data: upcastEventData(row.type, row.schema_version, JSON.parse(row.data_json)),
    metadata: JSON.parse(row.metadata_json) as DomainEvent['metadata'],
    prev_hash: row.prev_hash,
    hash: row.hash,
  }) as StoredEvent;

/** A row of STORED_EVENT_COLUMNS read as an array of its columns (SqlStatements.rows), as eventRecordFromRow takes it. */
export const eventRecordFromColumns = (columns: unknown[]): EventRecord =>
  eventRecordFromRow({
    position: columns[0] as number,
    stream_id: columns[1] as string,
    stream_version: columns[2] as number,
    type: columns[3] as string,
    schema_version: columns[4] as number,
    data_json: columns[5] as string,
    metadata_json: columns[6] as string,
    prev_hash: columns[7] as string,
    hash: columns[8] as string,
  });

/** The row as stored, its bytes untouched (numbers as numbers). */
export const eventRecordFromRow = (row: StoredEventRow): EventRecord => ({
  position: Number(row.position),
  stream_id: row.stream_id,
  stream_version: Number(row.stream_version),
  type: row.type,
  schema_version: Number(row.schema_version),
  data_json: row.data_json,
  metadata_json: row.metadata_json,
  prev_hash: row.prev_hash,
  hash: row.hash,
});
