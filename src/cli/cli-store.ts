import { existsSync } from 'node:fs';
import { nanoid } from 'nanoid';
import type { CommandContext } from '../events/command-bus.js';
import { DEFAULT_DB_PATH, isPostgresDsn, type DatabaseLocation } from '../events/open-database.js';
import { parseSqliteDsn } from '../events/sqlite/sqlite-dsn.js';
import { openRegistryStore, type RegistryStore } from '../projections/registry-store.js';
import { databaseLocation, type DatabaseFlags } from './database-options.js';

/** The SQLite file a location names, or undefined for PostgreSQL. */
export const sqlitePathOf = (location: DatabaseLocation): string | undefined => {
  if (location.dsn && isPostgresDsn(location.dsn)) return undefined;
  return parseSqliteDsn(location.dsn || location.path || DEFAULT_DB_PATH).path;
};

/** Opens the store the flags name; an operator command never creates a missing SQLite file. */
export const openExistingStore = async (flags: DatabaseFlags): Promise<RegistryStore> => {
  const location = databaseLocation(flags);
  const path = sqlitePathOf(location);
  if (path !== undefined && !existsSync(path)) throw new Error(`no database at ${path}`);
  return openRegistryStore(location);
};

/** Runs `fn` on the store and closes it, whatever happens. */
export const withStore = async <T>(flags: DatabaseFlags, fn: (store: RegistryStore) => Promise<T>): Promise<T> => {
  const store = await openExistingStore(flags);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};

/** Writes from the command line are attributed like any other: to $USER, source `cli`. */
export const cliContext = (): CommandContext => ({
  actor: process.env.USER || process.env.LOGNAME || 'cli',
  source: 'cli',
  request_id: `cli-${nanoid(12)}`,
});
