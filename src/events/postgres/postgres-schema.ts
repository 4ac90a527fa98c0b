import { pgDriver } from './pg-driver.js';
import { DatabaseUnavailable } from '../database-unavailable.js';
import { DEFAULT_POSTGRES_SETTINGS, type PostgresSettings } from './postgres-settings.js';

/** Where the tables live on PostgreSQL unless `--pg-schema` (or the DSN's search_path) says otherwise. */
export const DEFAULT_PG_SCHEMA = 'profile_registry';

/** Names `--pg-schema` takes: PostgreSQL's unquoted identifiers, as search_path reads them. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const checkSchemaName = (name: string): string => {
  if (!SCHEMA_NAME.test(name)) {
    throw new Error(`invalid PostgreSQL schema name "${name}": lower-case letters, digits and _ (not first), at most 63`);
  }
  if (name.startsWith('pg_')) throw new Error(`invalid PostgreSQL schema name "${name}": pg_ names belong to PostgreSQL`);
  return name;
};

/** The key (with the schema name's hash) of the advisory lock around creating a schema and its tables. */
export const SCHEMA_LOCK_KEY = 0x70726568;

/**
 * Which schema of the database the store uses, created when `mayCreate` and missing:
 * 1. the one `--pg-schema` names;
 * 2. else the first of a search_path set on purpose (in the DSN's `options=-c search_path=...`, or
 *    by ALTER ROLE / DATABASE ... SET search_path): installs that chose their schema keep it;
 * 3. else `profile_registry` when it exists, or the default search_path's schema (`public`) when
 *    its tables are there (an install made before the tables had a schema of their own), or else
 *    `profile_registry`, created.
 * Instances that start together create the schema under an advisory lock (a concurrent
 * CREATE SCHEMA IF NOT EXISTS may otherwise fail on the catalog's unique index).
 */
export const resolvePostgresSchema = async (
  connectionString: string,
  options: { requested?: string; mayCreate: boolean; settings?: Partial<PostgresSettings> },
): Promise<string> => {
  const settings = { ...DEFAULT_POSTGRES_SETTINGS, ...options.settings };
  const client = new (pgDriver().Client)({
    connectionString,
    application_name: `${settings.applicationName} schema`,
    connectionTimeoutMillis: settings.connectTimeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseUnavailable(error);
  }
  try {
    const create = async (schema: string): Promise<string> => {
      if (!options.mayCreate) return schema;
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK_KEY, schema]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return schema;
    };
    if (options.requested !== undefined) return await create(checkSchemaName(options.requested));
    const session = (
      await client.query<{ source: string; schema: string | null }>(
        "SELECT (SELECT source FROM pg_settings WHERE name = 'search_path') AS source, current_schema() AS schema",
      )
    ).rows[0];
    if (session && session.source !== 'default' && session.schema) return session.schema;
    const found = await client.query<{ ours: boolean; earlier: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ours,
              (SELECT count(*) FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_name IN ('events', 'streams')) = 2 AS earlier`,
      [DEFAULT_PG_SCHEMA],
    );
    const { ours, earlier } = found.rows[0] ?? { ours: false, earlier: false };
    if (!ours && earlier && session?.schema) return session.schema;
    return await create(DEFAULT_PG_SCHEMA);
  } finally {
    await client.end().catch(() => undefined);
  }
};
