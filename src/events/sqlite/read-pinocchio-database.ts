import Database from 'better-sqlite3';
import type { PinocchioRow } from '../../domain/pinocchio-registries.js';
import { holdsProfileRegistry, PINOCCHIO_TABLE, readSqliteTables } from '../inspect-database.js';

/**
 * The `profile_registries` rows of a pinocchio (geppetto SQLite profile store) database, read
 * without writing a byte to it. A missing file, a file that is not SQLite, one without that
 * table, or a profile-registry database are refused with one line.
 */
export const readPinocchioDatabase = (path: string): PinocchioRow[] => {
  const tables = readSqliteTables(path, 'pinocchio');
  if (tables === undefined) throw new Error(`no database at ${path}`);
  if (holdsProfileRegistry(tables)) {
    throw new Error(`${path} is a profile-registry database already (nothing to migrate: serve it, or copy it with backup)`);
  }
  if (!tables.includes(PINOCCHIO_TABLE)) throw new Error(`not a pinocchio database: ${path} (it has no profile_registries table)`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT slug, payload_json, updated_at_ms FROM profile_registries ORDER BY slug').all() as PinocchioRow[];
  } finally {
    db.close();
  }
};
