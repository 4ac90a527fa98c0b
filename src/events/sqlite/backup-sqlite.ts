import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

const fsyncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/**
 * A consistent copy of a live SQLite database: `VACUUM INTO` reads one snapshot (writers go on
 * meanwhile in WAL mode) into a 0600 temporary file beside `dest`, which is checked, synced to
 * disk, then moved into place, so `dest` is never a half-written file. Without `overwrite`, an
 * existing `dest` is refused (atomically: the move is a hard link that fails if it exists).
 */
export const backupSqlite = (source: string, dest: string, options: { overwrite: boolean; busyTimeoutMs?: number }): void => {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (!existsSync(dirname(dest))) throw new Error(`folder ${dirname(dest)} does not exist`);
  if (!options.overwrite && existsSync(dest)) throw new Error(`${dest} already exists (use --force to overwrite it)`);
  const temp = join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`);
  closeSync(openSync(temp, 'wx', 0o600));
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.prepare('VACUUM INTO ?').run(temp);
    } finally {
      db.close();
    }
    const copy = new Database(temp, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    chmodSync(temp, 0o600);
    fsyncPath(temp);
    if (options.overwrite) renameSync(temp, dest);
    else {
      try {
        linkSync(temp, dest);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${dest} already exists (use --force to overwrite it)`);
        throw error;
      }
    }
    fsyncPath(dirname(dest));
  } finally {
    rmSync(temp, { force: true });
  }
};
