import type { EventStoreOperations, StreamEnd } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { eventRecordFromRow, type StoredEventRow } from '../stored-event-row.js';

type EndRow = Omit<StoredEventRow, 'position' | 'stream_version' | 'hash'> & {
  head_version: number | string;
  last_hash: string;
  last_version: number | string | null;
  position: number | string | null;
  stream_version: number | string | null;
  hash: string | null;
};

/**
 * One lookup per stream head (its event, its stream's last version), then the streams whose
 * events have no head: a scan of the (stream_id, stream_version) index.
 */
export const readStreamEnds: EventStoreOperations<SqlStatements>['readStreamEnds'] = async (sql) => {
  const rows = await sql.all<EndRow>(
    `SELECT s.stream_id AS stream_id, s.version AS head_version, s.last_hash AS last_hash,
       (SELECT MAX(m.stream_version) FROM events m WHERE m.stream_id = s.stream_id) AS last_version,
       e.position AS position, e.stream_version AS stream_version, e.type AS type, e.schema_version AS schema_version,
       e.data_json AS data_json, e.metadata_json AS metadata_json, e.prev_hash AS prev_hash, e.hash AS hash
     FROM streams s LEFT JOIN events e ON e.stream_id = s.stream_id AND e.stream_version = s.version
     ORDER BY s.stream_id`,
  );
  const orphans = await sql.all<{ stream_id: string; last_version: number | string }>(
    `SELECT e.stream_id AS stream_id, MAX(e.stream_version) AS last_version FROM events e
     LEFT JOIN streams s ON s.stream_id = e.stream_id WHERE s.stream_id IS NULL GROUP BY e.stream_id ORDER BY e.stream_id`,
  );
  const ends: StreamEnd[] = rows.map((row) => ({
    streamId: row.stream_id,
    head: { version: Number(row.head_version), hash: row.last_hash },
    ...(row.hash === null ? {} : { headEvent: eventRecordFromRow(row as StoredEventRow) }),
    lastVersion: Number(row.last_version ?? 0),
  }));
  const orphanEnds = orphans.map((row) => ({ streamId: row.stream_id, lastVersion: Number(row.last_version) }));
  return [...ends, ...orphanEnds].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
};
