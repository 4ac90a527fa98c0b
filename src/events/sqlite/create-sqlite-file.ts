import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { SqlDatabase } from '../sql-database.js';
import { openSqlite } from './open-sqlite.js';
import type { SqliteOptions } from './sqlite-dsn.js';
import { fsyncPath } from './fsync-path.js';

/**
 * Creates a new database at `options.path` so that no other process ever sees it half made: the
 * tables are set up (`setUp`) in a temporary file beside it, which is then linked into place. A
 * link fails if the name exists, so when instances start together on a fresh path exactly one
 * file wins and the others open it; none finds an empty file or a file with half of the tables.
 * Returns whether this call created it.
 */
export const createSqliteFile = async (options: SqliteOptions, setUp: (db: SqlDatabase) => Promise<void>): Promise<boolean> => {
  const folder = dirname(options.path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temp = join(folder, `.${basename(options.path)}.${process.pid}.${randomBytes(4).toString('hex')}.creating`);
  try {
    // no fsync while the tables are made: nothing sees the file before it is fsynced whole below and linked
    const db = openSqlite({ ...options, path: temp, synchronous: 'OFF' });
    try {
      await setUp(db);
    } finally {
      // the last connection to close copies the WAL into the file and removes it
      await db.close();
    }
    fsyncPath(temp);
    try {
      linkSync(temp, options.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    fsyncPath(folder);
    return true;
  } finally {
    for (const file of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(file, { force: true });
  }
};
