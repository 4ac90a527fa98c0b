import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseUnavailable } from '../database-unavailable.js';

/** SQLITE_BUSY and its extended codes (_RECOVERY, _SNAPSHOT, _TIMEOUT): another connection holds a lock. */
export const isSqliteBusy = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/** The answer once the wait is over: a 503 with Retry-After, never a 500. */
export const databaseBusy = (waitedMs: number): DatabaseUnavailable =>
  new DatabaseUnavailable(new Error(`the database is locked by another process (waited ${waitedMs} ms for its lock)`));

const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 25;

/**
 * Runs `attempt` (a synchronous better-sqlite3 call made with busy_timeout 0, so it never sleeps
 * on the event loop) and, while it fails with SQLITE_BUSY, runs it again after a pause on a timer
 * until `deadline` (a Date.now() value); then it fails with DatabaseUnavailable. Only for calls
 * that may be repeated after a BUSY: BEGIN, COMMIT, and statements outside a transaction (SQLite
 * has done nothing when it answers BUSY to those). The first attempt runs at once: no promise
 * and no timer unless the lock is taken.
 */
export const whileBusy = <T>(attempt: () => T, deadline: number, started = Date.now()): T | Promise<T> => {
  try {
    return attempt();
  } catch (error) {
    if (!isSqliteBusy(error)) throw error;
  }
  return (async () => {
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw databaseBusy(Date.now() - started);
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      try {
        return attempt();
      } catch (error) {
        if (!isSqliteBusy(error)) throw error;
      }
    }
  })();
};
