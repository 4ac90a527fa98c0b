import type { SqlExecutor } from '../../src/events/sql-database.js';

/** Everything a refused write must leave alone: the events and every projection row. */
export const storeSnapshot = async (db: SqlExecutor) => ({
  events: await db.all('SELECT position, stream_id, stream_version, hash FROM events ORDER BY position'),
  registries: await db.all('SELECT slug, payload_json, version FROM profile_registries ORDER BY slug'),
  documents: await db.all('SELECT registry, slug, version, document_json FROM profile_documents ORDER BY registry, slug'),
});
