import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backupSqlite } from '../../src/events/sqlite/backup-sqlite.js';

let copies = 0;

/** A consistent copy of a live SQLite database, beside it: what an operator tampers with in these tests. */
export const copySqlite = (source: string, dir: string, name = `copy-${++copies}.db`): string => {
  const dest = join(dir, name);
  backupSqlite(source, dest, { overwrite: false });
  return dest;
};

/** Runs plain SQL on a database file with better-sqlite3, as anyone holding the file could. */
export const withSqlite = <T>(path: string, fn: (db: Database.Database) => T): T => {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
};
