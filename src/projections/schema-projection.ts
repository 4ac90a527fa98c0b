import type { SchemaKind } from '../domain/schema-documents.js';
import type { ProfileRef } from './stack-dependents.js';
import { schemaKey, type SchemaEntry, type SchemaState } from '../events/schema-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES, type ProjectionTables } from './projection-schema.js';
import { objectJson } from '../domain/json-splicing.js';

/** A schema's list item (the shape pinocchio answered), as stored and sent. */
export const schemaDocumentJson = (entry: SchemaEntry): string => JSON.stringify(entry.document);

/** Who changed a schema when; `version` counts its changes. */
export const schemaMetadataJson = (entry: SchemaEntry): string =>
  JSON.stringify({
    version: entry.version,
    created_at_ms: entry.stamp.created_at_ms,
    updated_at_ms: entry.stamp.updated_at_ms,
    created_by: entry.stamp.created_by,
    updated_by: entry.stamp.updated_by,
    source: entry.stamp.source,
  });

/** What `GET /api/chat/schemas/{kind}s/{name}` answers: the list item and its metadata. */
export const schemaReadJson = (documentJson: string, metadataJson: string): string =>
  objectJson([{ spread: documentJson }, ['metadata', metadataJson]]);

/** Rewrites the row of each named schema (`kind/name` keys), or removes it once deleted. */
export const writeSchemaRows = async (
  tx: SqlExecutor,
  state: SchemaState,
  keys: Iterable<[SchemaKind, string]>,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> => {
  for (const [kind, name] of keys) {
    const entry = state.entries.get(schemaKey(kind, name));
    if (!entry) {
      await tx.run(`DELETE FROM ${tables.schemas} WHERE kind = $1 AND name = $2`, [kind, name]);
      continue;
    }
    await tx.run(
      `INSERT INTO ${tables.schemas} (kind, name, version, document_json, metadata_json) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, name) DO UPDATE SET version = excluded.version, document_json = excluded.document_json,
       metadata_json = excluded.metadata_json`,
      [kind, name, entry.version, schemaDocumentJson(entry), schemaMetadataJson(entry)],
    );
  }
};

/** Every schema's row, from the state alone: what a rebuild writes. */
export const writeAllSchemaRows = (tx: SqlExecutor, state: SchemaState, tables: ProjectionTables = LIVE_TABLES) =>
  writeSchemaRows(
    tx,
    state,
    [...state.entries.values()].map((entry) => [entry.kind, entry.name] as [SchemaKind, string]),
    tables,
  );

/**
 * The live profiles whose stored JSON holds `name` as a JSON string: a superset of those that name
 * it as a middleware or an extension key, found without parsing. Only names: the decider reads each
 * one's content from its registry's state (no decision reads a projection row's content).
 */
export const readSchemaUsers = async (tx: SqlExecutor, _kind: SchemaKind, name: string): Promise<ProfileRef[]> =>
  tx.all<ProfileRef>(
    `SELECT d.registry AS registry, d.slug AS profile
     FROM ${LIVE_TABLES.documents} d JOIN ${LIVE_TABLES.headers} h ON h.slug = d.registry
     WHERE d.stored_json LIKE $1${tx.flavour.likeWithoutEscape}
     ORDER BY ${tx.flavour.bySlug('d.registry')}, ${tx.flavour.bySlug('d.slug')}`,
    [`%${JSON.stringify(name)}%`],
  );
