import type { SqlExecutor } from '../../src/events/sql-database.js';

/** Everything a refused write must leave alone: the events, the stream heads and every projection row. */
export const storeSnapshot = async (db: SqlExecutor) => ({
  events: await db.all('SELECT position, stream_id, stream_version, hash FROM events ORDER BY position'),
  streams: await db.all('SELECT stream_id, version, last_hash, last_position FROM streams ORDER BY stream_id'),
  registries: await db.all('SELECT slug, payload_json, version FROM profile_registries ORDER BY slug'),
  documents: await db.all('SELECT registry, slug, version, etag, fingerprint, stored_json FROM profile_documents ORDER BY registry, slug'),
  tombstones: await db.all('SELECT registry, slug, version FROM profile_tombstones ORDER BY registry, slug'),
  schemas: await db.all('SELECT kind, name, version, document_json FROM schema_documents ORDER BY kind, name'),
});

/** Every projection row, whole (`payload_text` holds the exact bytes of `payload_json`). */
export const projectionRows = async (db: SqlExecutor) => ({
  registries: await db.all('SELECT slug, payload_text, updated_at_ms, version FROM profile_registries ORDER BY slug'),
  headers: await db.all('SELECT * FROM registry_headers ORDER BY slug'),
  documents: await db.all('SELECT * FROM profile_documents ORDER BY registry, slug'),
  tombstones: await db.all('SELECT * FROM profile_tombstones ORDER BY registry, slug'),
  schemas: await db.all('SELECT * FROM schema_documents ORDER BY kind, name'),
});
