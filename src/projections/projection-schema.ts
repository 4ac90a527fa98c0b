import type { SqlDialect } from '../events/sql-database.js';

/** Names of the projection tables; `verify` builds a shadow set beside the live one. */
export interface ProjectionTables {
  /** The geppetto-compatible `profile_registries` relation (a view over the two tables below). */
  registries: string;
  headers: string;
  documents: string;
  tombstones: string;
}

export const LIVE_TABLES: ProjectionTables = {
  registries: 'profile_registries',
  headers: 'registry_headers',
  documents: 'profile_documents',
  tombstones: 'profile_tombstones',
};

export const shadowTables = (suffix: string): ProjectionTables => ({
  registries: `profile_registries_${suffix}`,
  headers: `registry_headers_${suffix}`,
  documents: `profile_documents_${suffix}`,
  tombstones: `profile_tombstones_${suffix}`,
});

/** `ORDER BY` on slugs in byte order, as JavaScript sorts them (PostgreSQL would use its locale). */
export const bySlug = (dialect: SqlDialect, column: string): string =>
  dialect === 'postgres' ? `${column} COLLATE "C"` : column;

/**
 * `profile_registries` keeps geppetto's layout: one row per live registry, `slug`, the whole
 * registry as `payload_json`, `updated_at_ms`. It is a view that concatenates bytes serialized
 * once per version: the registry's header row and each profile's stored JSON. So a write costs
 * the change (one profile row and a small header row), never the size of the registry, and
 * `SELECT payload_json FROM profile_registries` still returns the whole registry, byte for byte
 * what registryPayloadJson() renders (`payload_text` is that text; on PostgreSQL `payload_json` is
 * its JSONB). Both tables are written in the append's transaction.
 */
const registriesView = (dialect: SqlDialect, tables: ProjectionTables): string => {
  const profiles =
    dialect === 'sqlite'
      ? `group_concat(json_quote(d.slug) || ':' || d.stored_json, ',' ORDER BY d.slug)`
      : `string_agg(to_json(d.slug)::text || ':' || d.stored_json, ',' ORDER BY d.slug COLLATE "C")`;
  const payload = `substr(h.header_json, 1, length(h.header_json) - 1) || ',"profiles":{' ||
    coalesce((SELECT ${profiles} FROM ${tables.documents} d WHERE d.registry = h.slug), '') ||
    '},"metadata":' || h.metadata_json || '}'`;
  const create = dialect === 'sqlite' ? 'CREATE VIEW IF NOT EXISTS' : 'CREATE OR REPLACE VIEW';
  const json = dialect === 'sqlite' ? 'r.payload_text' : 'r.payload_text::jsonb';
  return `${create} ${tables.registries} AS
SELECT r.slug AS slug, ${json} AS payload_json, r.updated_at_ms AS updated_at_ms, r.version AS version,
  r.payload_text AS payload_text
FROM (SELECT h.slug AS slug, ${payload} AS payload_text, h.updated_at_ms AS updated_at_ms, h.version AS version
      FROM ${tables.headers} h) r;`;
};

export const projectionSchema = (dialect: SqlDialect, tables: ProjectionTables = LIVE_TABLES): string => {
  const bigint = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const documentJsonb =
    dialect === 'postgres'
      ? `ALTER TABLE ${tables.documents} ADD COLUMN IF NOT EXISTS document_jsonb JSONB GENERATED ALWAYS AS (document_json::jsonb) STORED;
CREATE INDEX IF NOT EXISTS ${tables.documents}_document_gin ON ${tables.documents} USING GIN (document_jsonb);`
      : '';
  return `
CREATE TABLE IF NOT EXISTS ${tables.headers} (
  slug TEXT PRIMARY KEY,
  header_json TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  updated_at_ms ${bigint} NOT NULL,
  version ${bigint} NOT NULL,
  summary_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${tables.documents} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  etag TEXT NOT NULL,
  stored_json TEXT NOT NULL,
  document_json TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  PRIMARY KEY (registry, slug)
);
${documentJsonb}
CREATE TABLE IF NOT EXISTS ${tables.tombstones} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  PRIMARY KEY (registry, slug)
);
${registriesView(dialect, tables)}
`;
};
