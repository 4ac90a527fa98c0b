import { createRequire } from 'node:module';
import type pg from 'pg';

let driver: typeof pg | undefined;

/**
 * The pg module, loaded when PostgreSQL is first used: a server on SQLite never loads it (it and
 * what it pulls in were a tenth of `serve`'s start to first answer).
 */
export const pgDriver = (): typeof pg => {
  if (driver) return driver;
  driver = createRequire(import.meta.url)('pg') as typeof pg;
  // BIGINT (positions, versions, times) as numbers: every value stays below 2^53.
  driver.types.setTypeParser(20, (value) => Number(value));
  return driver;
};
