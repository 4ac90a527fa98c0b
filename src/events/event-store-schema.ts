import type { SqlFlavour } from './sql-flavour.js';

/** The event log: one stream per registry, a global position, a per-stream hash chain. */
export const eventStoreSchema = ({ serialKey, bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS events (
  position ${serialKey},
  stream_id TEXT NOT NULL,
  stream_version ${bigint} NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  data_json TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  occurred_at_ms ${bigint} NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_stream_time ON events (stream_id, occurred_at_ms);
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  version ${bigint} NOT NULL,
  last_hash TEXT NOT NULL,
  last_position ${bigint} NOT NULL
);
`;
