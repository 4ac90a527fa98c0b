import { memberJsonIn, objectOfJoinedMembersIn, SQL_TEXT } from '../domain/json-splicing.js';
import type { SqlExecutor } from '../events/sql-database.js';
import type { SqlFlavour } from '../events/sql-flavour.js';
import { registryPayloadIn } from './registry-serialization.js';

/** Names of the projection tables; `verify` builds a shadow set beside the live one. */
export interface ProjectionTables {
  /** The geppetto-compatible `profile_registries` relation (a view over the two tables below). */
  registries: string;
  headers: string;
  documents: string;
  tombstones: string;
  /** Reverse index of stack refs: who stacks on whom. */
  stackRefs: string;
  /** The registered schemas of middlewares and extensions, one row each. */
  schemas: string;
  /** Temporary tables of the connection (verify's shadow copy): nothing is written to the database. */
  temporary?: boolean;
}

export const LIVE_TABLES: ProjectionTables = {
  registries: 'profile_registries',
  headers: 'registry_headers',
  documents: 'profile_documents',
  tombstones: 'profile_tombstones',
  stackRefs: 'profile_stack_refs',
  schemas: 'schema_documents',
};

export const shadowTables = (suffix: string, options: { temporary?: boolean } = {}): ProjectionTables => ({
  registries: `profile_registries_${suffix}`,
  headers: `registry_headers_${suffix}`,
  documents: `profile_documents_${suffix}`,
  tombstones: `profile_tombstones_${suffix}`,
  stackRefs: `profile_stack_refs_${suffix}`,
  schemas: `schema_documents_${suffix}`,
  temporary: options.temporary,
});

/**
 * `profile_registries` keeps geppetto's layout: one row per live registry, `slug`, the whole
 * registry as `payload_json`, `updated_at_ms`. It is a view that concatenates bytes serialized
 * once per version: the registry's header row and each profile's stored JSON. So a write costs
 * the change (one profile row and a small header row), never the size of the registry, and
 * `SELECT payload_json FROM profile_registries` still returns the whole registry, byte for byte
 * what registryPayloadJson() renders, from the same layout (`payload_text` is that text; on PostgreSQL `payload_json` is
 * its JSONB). Both tables are written in the append's transaction.
 */
const registriesView = (flavour: SqlFlavour, tables: ProjectionTables): string => {
  const member = memberJsonIn(SQL_TEXT, flavour.jsonQuote('d.slug'), 'd.stored_json');
  const members = flavour.joinedInOrder(member, `${tables.documents} d`, 'd.registry = h.slug', 'd.slug');
  const profiles = objectOfJoinedMembersIn(SQL_TEXT, `coalesce(${members}, '')`);
  const payload = registryPayloadIn(SQL_TEXT, 'h.header_json', profiles, 'h.metadata_json');
  return `${flavour.createView(tables.temporary ?? false)} ${tables.registries} AS
SELECT r.slug AS slug, ${flavour.asJson('r.payload_text')} AS payload_json, r.updated_at_ms AS updated_at_ms, r.version AS version,
  r.payload_text AS payload_text
FROM (SELECT h.slug AS slug, ${payload} AS payload_text, h.updated_at_ms AS updated_at_ms, h.version AS version
      FROM ${tables.headers} h) r;`;
};

export const projectionSchema = (flavour: SqlFlavour, tables: ProjectionTables = LIVE_TABLES): string => {
  const { bigint } = flavour;
  // an index on a temporary table is temporary too
  const createTable = tables.temporary ? 'CREATE TEMP TABLE IF NOT EXISTS' : 'CREATE TABLE IF NOT EXISTS';
  // where the database indexes JSON containment, a JSON copy of each profile (see profile-containment.ts)
  const profileJsonb = flavour.jsonContainment?.indexedColumn(tables.documents, 'stored_json', 'profile_jsonb') ?? '';
  return `
${createTable} ${tables.headers} (
  slug TEXT PRIMARY KEY,
  header_json TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  updated_at_ms ${bigint} NOT NULL,
  version ${bigint} NOT NULL,
  summary_json TEXT NOT NULL
);
${createTable} ${tables.documents} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  etag TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  stored_json TEXT NOT NULL,
  signature_json TEXT,
  PRIMARY KEY (registry, slug)
);
${profileJsonb}
${createTable} ${tables.tombstones} (
  registry TEXT NOT NULL,
  slug TEXT NOT NULL,
  version ${bigint} NOT NULL,
  PRIMARY KEY (registry, slug)
);
${createTable} ${tables.stackRefs} (
  registry TEXT NOT NULL,
  profile TEXT NOT NULL,
  ref_registry TEXT NOT NULL,
  ref_profile TEXT NOT NULL,
  PRIMARY KEY (registry, profile, ref_registry, ref_profile)
);
CREATE INDEX IF NOT EXISTS ${tables.stackRefs}_ref ON ${tables.stackRefs} (ref_registry, ref_profile);
CREATE INDEX IF NOT EXISTS ${tables.documents}_slug ON ${tables.documents} (slug);
${createTable} ${tables.schemas} (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  version ${bigint} NOT NULL,
  document_json TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  PRIMARY KEY (kind, name)
);
${registriesView(flavour, tables)}
`;
};

/**
 * Whether the tables hold an earlier layout of the document rows: with the whole document as
 * `document_json` (before it was assembled from `stored_json` on read), or with each profile's
 * list entry as `summary_json` (before lists were assembled on read). Projections are folds of the
 * events: such tables are dropped and rebuilt, never migrated row by row.
 */
export const hasEarlierDocumentLayout = async (db: SqlExecutor): Promise<boolean> => {
  const earlierColumns = "('document_json', 'summary_json')";
  const sql = `SELECT 1 AS found FROM (${db.flavour.tableColumns(LIVE_TABLES.documents)}) c WHERE c.name IN ${earlierColumns}`;
  return (await db.get(sql)) !== undefined;
};

export const dropProjectionTables = (tables: ProjectionTables = LIVE_TABLES): string =>
  `DROP VIEW IF EXISTS ${tables.registries}; DROP TABLE IF EXISTS ${tables.headers}; DROP TABLE IF EXISTS ${tables.documents};
   DROP TABLE IF EXISTS ${tables.tombstones}; DROP TABLE IF EXISTS ${tables.stackRefs}; DROP TABLE IF EXISTS ${tables.schemas};`;

/**
 * Whether SQLite holds the `profile_registries` view of earlier releases, written with
 * `group_concat(... ORDER BY ...)`: SQLite before 3.44 cannot read that schema at all (every
 * statement fails), so the view is dropped and created again in today's form.
 */
export const hasEarlierRegistriesView = async (db: SqlExecutor): Promise<boolean> => {
  const { viewDefinition } = db.flavour;
  if (viewDefinition === undefined) return false;
  const row = await db.get<{ sql: string }>(viewDefinition, [LIVE_TABLES.registries]);
  return row !== undefined && /',' ORDER BY/.test(row.sql);
};
