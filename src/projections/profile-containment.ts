import { parseProjectionJson } from './damaged-row.js';
import { jsonContains } from '../domain/json-containment.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { profileSummaryJson, type StoredProfileShape } from './registry-serialization.js';
import { arrayJson } from '../domain/json-splicing.js';

/**
 * The query that finds stored profiles containing a JSON value. Where the database indexes JSON
 * containment (PostgreSQL: `profile_jsonb @> $1` on its GIN index) it answers; elsewhere (SQLite)
 * it reads the stored profiles and `jsonContains` filters them.
 */
export const containmentSql = (db: SqlExecutor, registry: string | undefined): string => {
  const { bySlug, jsonContainment } = db.flavour;
  const order = `ORDER BY ${bySlug('registry')}, ${bySlug('slug')}`;
  const conditions = [
    ...(jsonContainment ? [jsonContainment.contains('profile_jsonb', '$1')] : []),
    ...(registry === undefined ? [] : [`registry = $${jsonContainment ? 2 : 1}`]),
  ];
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT registry, stored_json, is_default FROM ${LIVE_TABLES.documents} ${where} ${order}`;
};

/**
 * The summaries (as in `GET /api/chat/profiles`) of the profiles whose stored document contains
 * `query` with jsonb `@>` semantics, in one registry or in all, by registry then slug.
 */
export const listContainingProfiles = async (
  db: SqlExecutor,
  query: unknown,
  registry?: string,
): Promise<{ count: number; body: Buffer }> => {
  const inDatabase = db.flavour.jsonContainment !== undefined;
  const params = [...(inDatabase ? [JSON.stringify(query)] : []), ...(registry === undefined ? [] : [registry])];
  const rows = await db.all<{ registry: string; stored_json: string; is_default: number | string }>(containmentSql(db, registry), params);
  const summaries: string[] = [];
  for (const row of rows) {
    const stored = parseProjectionJson<StoredProfileShape>(row.stored_json, () => `profile_documents of registry ${row.registry}`);
    if (!inDatabase && !jsonContains(stored, query)) continue;
    summaries.push(profileSummaryJson(row.registry, stored, Number(row.is_default) === 1));
  }
  return { count: summaries.length, body: Buffer.from(arrayJson(summaries)) };
};
