import type { SqlFlavour } from './sql-flavour.js';
import { PROFILE_COPY, PROFILE_VERSION_COPY, profileOfData, profileVersionOfData } from './sql/profile-columns.js';

/**
 * The index of a profile's events. Where events carry copies of their profile and version it is
 * over those (a new name: the index of earlier releases, over the text, is dropped once the new one
 * is there; a server of such a release opening the database makes its own again beside it).
 */
const profileIndex = (flavour: SqlFlavour): string => {
  const name = flavour.eventProfileCopies ? 'events_stream_profile_copied' : 'events_stream_profile';
  const earlier = flavour.eventProfileCopies ? 'DROP INDEX IF EXISTS events_stream_profile;\nDROP STATISTICS IF EXISTS events_stream_profile_stats;' : '';
  return `CREATE INDEX IF NOT EXISTS ${name} ON events (stream_id, (${profileOfData(flavour)}), (${profileVersionOfData(flavour)}));
${earlier}
${flavour.dependentStatistics?.(`${name}_stats`, 'events', ['stream_id', `(${profileOfData(flavour)})`]) ?? ''}`;
};

/**
 * The event log: one stream per registry, a global position, a per-stream hash chain. The index
 * on the profile and profile version an event names makes a profile's history cost its own
 * versions only, and finding one version a lookup. A profile belongs to one stream: taken as
 * independent, PostgreSQL guessed 43 rows for a hot profile of 791 versions, read them all and
 * sorted them for a history page; the statistics of the pair make it walk the index (after ANALYZE).
 */
export const eventStoreSchema = (flavour: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS events (
  position ${flavour.serialKey},
  stream_id TEXT NOT NULL,
  stream_version ${flavour.bigint} NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  data_json TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  occurred_at_ms ${flavour.bigint} NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,${flavour.eventProfileCopies ? `\n  ${PROFILE_COPY} TEXT,\n  ${PROFILE_VERSION_COPY} ${flavour.bigint},` : ''}
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_stream_time ON events (stream_id, occurred_at_ms);
${profileIndex(flavour)}
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  version ${flavour.bigint} NOT NULL,
  last_hash TEXT NOT NULL,
  last_position ${flavour.bigint} NOT NULL
);
${flavour.positionCounter ?? ''}`;
