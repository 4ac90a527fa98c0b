import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fileErrorCause } from '../domain/file-errors.js';
import type { SqlExecutor } from './sql-database.js';

/** What a database location holds, as far as this tool is concerned. */
export type DatabaseContents = 'none' | 'profile-registry';

/** The tables every profile-registry database has had since its first release. */
const OWN_TABLES = ['events', 'streams'];

/** The one table of geppetto's SQLite profile store (pinocchio web-chat's --profile-registry-db). */
export const PINOCCHIO_TABLE = 'profile_registries';

const SQLITE_MAGIC = 'SQLite format 3\0';

const notOurs = (where: string, why: string, what = 'profile-registry'): Error => new Error(`not a ${what} database: ${where} (${why})`);

const verdict = (where: string, tables: string[]): DatabaseContents => {
  if (holdsProfileRegistry(tables)) return 'profile-registry';
  if (tables.length === 0) return 'none';
  throw notOurs(where, `it holds other tables: ${tables.slice(0, 3).join(', ')}${tables.length > 3 ? ', ...' : ''}`);
};

/**
 * The tables of a SQLite file, read without changing a byte of it; undefined when there is no
 * file. A directory, an empty file or a file that is not SQLite is refused with one line that
 * says what kind of database (`what`) was expected.
 */
export const readSqliteTables = (path: string, what = 'profile-registry'): string[] | undefined => {
  if (path === ':memory:') return undefined;
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw notOurs(path, 'a directory', what);
    if (!stat.isFile()) throw notOurs(path, 'not a regular file', what);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new Error(`cannot open database ${path}: ${fileErrorCause(error)}`);
  }
  if (size === 0) throw notOurs(path, 'an empty file', what);
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new Error(`cannot open database ${path}: ${fileErrorCause(error)}`);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) throw notOurs(path, 'not a SQLite file', what);
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .pluck()
        .all() as string[];
    } finally {
      db.close();
    }
  } catch (error) {
    throw notOurs(path, `SQLite cannot read it: ${(error as Error).message}`, what);
  }
};

/** Whether tables are those of a profile-registry database. */
export const holdsProfileRegistry = (tables: readonly string[]): boolean => OWN_TABLES.every((table) => tables.includes(table));

/**
 * Looks at a SQLite file without changing a byte of it: `none` when there is no file, a
 * profile-registry database, or an error (one line) for anything else: a directory, an empty
 * file, a file that is not SQLite, SQLite without this tool's tables.
 */
export const inspectSqliteFile = (path: string): DatabaseContents => {
  const tables = readSqliteTables(path);
  if (tables === undefined) return 'none';
  if (tables.length === 0) throw notOurs(path, 'a SQLite file without tables');
  if (!holdsProfileRegistry(tables) && tables.includes(PINOCCHIO_TABLE)) {
    throw notOurs(path, `it holds pinocchio's profile_registries table: move its profiles in with \`profile-registry migrate-pinocchio --from ${path}\``);
  }
  return verdict(path, tables);
};

/** The same question for a PostgreSQL schema (the current one): `none` when it holds no table yet. */
export const inspectPostgresSchema = async (db: SqlExecutor, where: string): Promise<DatabaseContents> => {
  const rows = await db.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return verdict(where, rows.map((row) => row.name));
};
