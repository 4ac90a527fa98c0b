import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { isSqliteBusy } from './busy-retry.js';

/**
 * Takes the database file's exclusive lock, if no other process has the database open, and runs
 * `fn` while holding it; answers `in-use` (running nothing) otherwise.
 *
 * In WAL mode every connection that has read the database keeps a shared lock on its file for as
 * long as it is open (a server always has), so `locking_mode = EXCLUSIVE` + `BEGIN EXCLUSIVE`
 * with busy_timeout 0 fails at once while one is open anywhere on the machine (POSIX locks are
 * the kernel's; a process killed with -9 holds none). The lock keeps a server from starting on
 * the file meanwhile. `fn` may move the files away: a connection whose file has moved does not
 * copy its WAL into it on close, so the files moved stay exactly as they were.
 */
export const withDatabaseExclusive = <T>(path: string, fn: () => T): { state: 'free'; result: T } | { state: 'in-use' } => {
  if (!existsSync(path)) return { state: 'free', result: fn() };
  const probe = new Database(path, { fileMustExist: true });
  try {
    probe.pragma('busy_timeout = 0');
    try {
      probe.pragma('locking_mode = EXCLUSIVE');
      probe.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      if (isSqliteBusy(error)) return { state: 'in-use' };
      throw error;
    }
    try {
      return { state: 'free', result: fn() };
    } finally {
      probe.exec('ROLLBACK');
    }
  } finally {
    probe.close();
  }
};
