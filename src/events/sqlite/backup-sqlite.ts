import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { writeFailureCause } from '../write-failure-cause.js';
import { fsyncPath } from './fsync-path.js';

/** Where a path leads once every symbolic link is followed, also when it names no file (yet). */
const realPathOf = (path: string, depth = 0): string => {
  try {
    return realpathSync(path);
  } catch {
    // a dangling link: follow it by hand; a missing file: its folder's real path
  }
  if (depth < 40 && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
    return realPathOf(resolve(dirname(path), readlinkSync(path)), depth + 1);
  }
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return resolve(path);
  }
};

/**
 * Refuses a backup destination that is the live database or its -wal / -shm: by real path
 * (symbolic links) and by inode (hard links). Writing over them would corrupt the database under
 * a running server.
 */
const refuseLiveFile = (source: string, dest: string): void => {
  const target = realPathOf(dest);
  const destStat = statSync(dest, { throwIfNoEntry: false });
  for (const live of [source, `${source}-wal`, `${source}-shm`]) {
    const liveStat = statSync(live, { throwIfNoEntry: false });
    const sameFile = destStat && liveStat && destStat.dev === liveStat.dev && destStat.ino === liveStat.ino;
    if (sameFile || realPathOf(live) === target) throw new Error(`cannot back up to ${dest}: it is the live database file ${live}`);
  }
};

/**
 * A consistent copy of a live SQLite database: `VACUUM INTO` reads one snapshot (writers go on
 * meanwhile in WAL mode) into a 0600 temporary file beside `dest`, which is checked, synced to
 * disk, then moved into place, so `dest` is never a half-written file. Without `overwrite`, an
 * existing `dest` is refused (atomically: the move is a hard link that fails if it exists).
 * Errors name `dest` and their cause, never the temporary file.
 */
export const backupSqlite = (source: string, dest: string, options: { overwrite: boolean; busyTimeoutMs?: number }): void => {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  refuseLiveFile(source, dest);
  if (statSync(dest, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`cannot write ${dest}: it is a directory`);
  if (!existsSync(dirname(dest))) throw new Error(`cannot write ${dest}: its folder does not exist`);
  const alreadyExists = () => new Error(`${dest} already exists (use --force to overwrite it)`);
  if (!options.overwrite && existsSync(dest)) throw alreadyExists();
  const temp = join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`);
  const writing = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !options.overwrite) throw alreadyExists();
      throw new Error(`cannot write ${dest}: ${writeFailureCause(dest, error)}`);
    }
  };
  writing(() => closeSync(openSync(temp, 'wx', 0o600)));
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      writing(() => db.prepare('VACUUM INTO ?').run(temp));
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
    writing(() => {
      chmodSync(temp, 0o600);
      fsyncPath(temp);
      if (options.overwrite) renameSync(temp, dest);
      else linkSync(temp, dest);
      fsyncPath(dirname(dest));
    });
  } finally {
    rmSync(temp, { force: true });
  }
};
