import { openPostgres } from './postgres/open-postgres.js';
import type { PostgresSettings } from './postgres/postgres-settings.js';
import type { SqlDatabase } from './sql-database.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import { parseSqliteDsn } from './sqlite/sqlite-dsn.js';

export const DEFAULT_DB_PATH = './data/profiles.db';

export interface DatabaseLocation {
  /** A go-sqlite3 DSN or a postgres:// URL; wins over `path`. */
  dsn?: string;
  path?: string;
  /**
   * PostgreSQL schema of the tables (`--pg-schema`; tests give each run its own). The commands
   * resolve it first (resolvePostgresSchema: the default `profile_registry`, an earlier install in
   * `public`); without it the connection's search_path decides.
   */
  schema?: string;
  /** Opens an existing database to read only: nothing created, migrated or written (see openSqlite, openPostgres). */
  readonly?: boolean;
  /** Pool and statement settings (PostgreSQL only; defaults in postgres-settings.ts). */
  postgres?: Partial<PostgresSettings>;
}

export const isPostgresDsn = (dsn: string): boolean => /^postgres(ql)?:\/\//i.test(dsn);

export const openDatabase = (location: DatabaseLocation): SqlDatabase => {
  if (location.dsn && isPostgresDsn(location.dsn)) {
    return openPostgres(location.dsn, { ...location.postgres, schema: location.schema, readonly: location.readonly });
  }
  return openSqlite(parseSqliteDsn(location.dsn || location.path || DEFAULT_DB_PATH), { readonly: location.readonly });
};
