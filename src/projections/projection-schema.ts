import type { SqlDialect } from '../events/sql-database.js';

/** Names of the projection tables; `verify` builds a shadow set beside the live one. */
export interface ProjectionTables {
  registries: string;
  documents: string;
  tombstones: string;
  /** Reverse index of stack refs: who stacks on whom. */
  stackRefs: string;
}

export const LIVE_TABLES: ProjectionTables = {
  registries: 'profile_registries',
  documents: 'profile_documents',
  tombstones: 'profile_tombstones',
  stackRefs: 'profile_stack_refs',
};

export const shadowTables = (suffix: string): ProjectionTables => ({
  registries: `profile_registries_${suffix}`,
  documents: `profile_documents_${suffix}`,
  tombstones: `profile_tombstones_${suffix}`,
  stackRefs: `profile_stack_refs_${suffix}`,
});

/**
 * `profile_registries` keeps geppetto's layout (one row per live registry, the whole registry as
 * JSON); `profile_documents` keeps each profile's document serialized once per version for reads;
 * `profile_tombstones` keeps the last version of deleted profiles so that versions continue.
 */
export const projectionSchema = (dialect: SqlDialect, tables: ProjectionTables = LIVE_TABLES): string => {
  const bigint = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const json = dialect === 'sqlite' ? 'TEXT' : 'JSONB';
  const gin =
    dialect === 'postgres'
      ? `CREATE INDEX IF NOT EXISTS ${tables.registries}_payload_gin ON ${tables.registries} USING GIN (payload_json);`
      : '';
  return `
CREATE TABLE IF NOT EXISTS ${tables.registries} (
  slug TEXT PRIMARY KEY,
  payload_json ${json} NOT NULL,
  updated_at_ms ${bigint} NOT NULL,
  version ${bigint} NOT NULL,
  summary_json TEXT NOT NULL
);
${gin}
CREATE TABLE IF NOT EXISTS ${tables.documents} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  etag TEXT NOT NULL,
  document_json TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  PRIMARY KEY (registry, slug)
);
CREATE TABLE IF NOT EXISTS ${tables.tombstones} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  PRIMARY KEY (registry, slug)
);
CREATE TABLE IF NOT EXISTS ${tables.stackRefs} (
  registry TEXT NOT NULL,
  profile TEXT NOT NULL,
  ref_registry TEXT NOT NULL,
  ref_profile TEXT NOT NULL,
  PRIMARY KEY (registry, profile, ref_registry, ref_profile)
);
CREATE INDEX IF NOT EXISTS ${tables.stackRefs}_ref ON ${tables.stackRefs} (ref_registry, ref_profile);
`;
};
