import { isDomainError } from '../domain/errors.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { streamHeadVersion } from '../projections/time-travel.js';

/**
 * Runs `fn`, turning the API's `registry not found` into the CLI's line that names the registry:
 * `registry "x" not found`, or `registry "x" did not exist at <time>` when it exists but a
 * past time was asked for which it did not.
 */
export const namingRegistry = async <T>(
  db: SqlExecutor,
  registry: string,
  atMs: number | undefined,
  fn: () => Promise<T>,
): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    if (!isDomainError(error) || error.message !== 'registry not found') throw error;
    if (atMs !== undefined && (await streamHeadVersion(db, registry)) > 0) {
      throw new Error(`registry "${registry}" did not exist at ${new Date(atMs).toISOString()}`);
    }
    throw new Error(`registry "${registry}" not found`);
  }
};
