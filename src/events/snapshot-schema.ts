import type { SqlFlavour } from './sql-flavour.js';

/**
 * Registry states saved every so many events, so that reading the past costs a snapshot load
 * plus a short fold whatever the length of the history. A cache of folds: never the truth.
 */
export const SNAPSHOT_TABLE = 'registry_snapshots';

export const snapshotSchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS ${SNAPSHOT_TABLE} (
  stream_id TEXT NOT NULL,
  stream_version ${bigint} NOT NULL,
  state_json TEXT NOT NULL,
  PRIMARY KEY (stream_id, stream_version)
);
`;
