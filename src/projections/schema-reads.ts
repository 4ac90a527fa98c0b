import { schemaNotFound } from '../domain/errors.js';
import type { SchemaKind } from '../domain/schema-documents.js';
import { foldSchemaEvents, SCHEMA_STREAM, schemasOfKind, type SchemaState } from '../events/schema-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { schemaDocumentJson, schemaReadJson } from './schema-projection.js';
import { arrayJson } from '../domain/json-splicing.js';

/** Reads of the registered schemas: the present from their projection, the past from the schema stream. */

/** The schemas as the schema stream leaves them (now, or as of a time): a fold of a small stream. */
export const readSchemaState = async (db: SqlExecutor, untilMs?: number): Promise<SchemaState> =>
  foldSchemaEvents(await db.events.readStream(SCHEMA_STREAM, { untilMs }));

/** The list route's JSON array: the schemas of one kind sorted by name (as of `asOfMs` when given). */
export const listSchemasJson = async (db: SqlExecutor, kind: SchemaKind, asOfMs?: number): Promise<string> => {
  if (asOfMs !== undefined) {
    return arrayJson(schemasOfKind(await readSchemaState(db, asOfMs), kind).map(schemaDocumentJson));
  }
  const rows = await db.all<{ document_json: string }>(
    `SELECT document_json FROM ${LIVE_TABLES.schemas} WHERE kind = $1 ORDER BY ${db.flavour.bySlug('name')}`,
    [kind],
  );
  return arrayJson(rows.map((row) => row.document_json));
};

/** One schema with its metadata, or 404. */
export const readSchemaJson = async (db: SqlExecutor, kind: SchemaKind, name: string): Promise<string> => {
  const row = await db.get<{ document_json: string; metadata_json: string }>(
    `SELECT document_json, metadata_json FROM ${LIVE_TABLES.schemas} WHERE kind = $1 AND name = $2`,
    [kind, name],
  );
  if (!row) throw schemaNotFound(kind);
  return schemaReadJson(row.document_json, row.metadata_json);
};

export interface SchemaVersion {
  version: number;
  type: string;
  actor: string;
  source: string;
  at_ms: number;
  /** The schema as that version registered it (absent for a deletion). */
  document?: unknown;
  /** Present when the change was forced: the stored profiles it left invalid. */
  forced?: unknown;
}

/** Every version of one schema, newest first; 404 when it never existed. */
export const readSchemaHistory = async (db: SqlExecutor, kind: SchemaKind, name: string): Promise<SchemaVersion[]> => {
  const versions: SchemaVersion[] = [];
  for (const event of await db.events.readStream(SCHEMA_STREAM)) {
    if (event.type !== 'schema.registered' && event.type !== 'schema.deleted') continue;
    if (event.data.kind !== kind || event.data.name !== name) continue;
    const { metadata } = event;
    const version: SchemaVersion = {
      version: event.data.version,
      type: event.type,
      actor: metadata.actor,
      source: metadata.source,
      at_ms: metadata.occurred_at_ms,
    };
    if (event.type === 'schema.registered') version.document = event.data.document;
    if (event.data.forced !== undefined) version.forced = event.data.forced;
    versions.push(version);
  }
  if (versions.length === 0) throw schemaNotFound(kind);
  return versions.reverse();
};
