import Database from 'better-sqlite3';
import { runTracked, spawnTracked } from './child-processes.js';

/** The system `sqlite3` (CI installs Debian's); without it these tests fail, never skip. */
export const SQLITE3 = process.env.SQLITE3_BIN || 'sqlite3';

/** Runs `sqlite3 ARGS...` to its end. */
export const sqlite3 = (args: string[]) => runTracked(SQLITE3, args, { timeoutMs: 60_000 });

/** Whether some connection holds the write lock of the database (a BEGIN IMMEDIATE fails at once). */
const writeLockTaken = (path: string): boolean => {
  const probe = new Database(path, { fileMustExist: true });
  try {
    probe.pragma('busy_timeout = 0');
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    throw error;
  } finally {
    probe.close();
  }
};

/**
 * `sqlite3 PATH` as an operator leaves it open in a terminal, in `BEGIN IMMEDIATE`: it holds the
 * database's write lock until `release()` (ROLLBACK and quit).
 */
export const holdWriteLock = async (path: string): Promise<{ release: () => Promise<void> }> => {
  const shell = spawnTracked(SQLITE3, [path], { stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  shell.stdin!.write('BEGIN IMMEDIATE;\n');
  const deadline = Date.now() + 10_000;
  while (!writeLockTaken(path)) {
    if (Date.now() > deadline) throw new Error('sqlite3 did not take the write lock');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    release: async () => {
      shell.stdin!.end('ROLLBACK;\n.quit\n');
      await exited;
    },
  };
};
