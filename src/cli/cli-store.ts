import { readSigningKeys, type SigningKeysFlags } from './signing-keys-option.js';
import { nanoid } from 'nanoid';
import type { CommandContext } from '../events/command-bus.js';
import { inspectPostgresSchema, inspectSqliteFile } from '../events/inspect-database.js';
import { DEFAULT_DB_PATH, isPostgresDsn, openDatabase, type DatabaseLocation } from '../events/open-database.js';
import type { SqlDatabase } from '../events/sql-database.js';
import { parseSqliteDsn } from '../events/sqlite/sqlite-dsn.js';
import { createSqliteFile } from '../events/sqlite/create-sqlite-file.js';
import { resolvePostgresSchema } from '../events/postgres/postgres-schema.js';
import { ensureSchema } from '../projections/schema-setup.js';
import { createRegistryStore, type RegistryStore, type RegistryStoreOptions } from '../use-cases/registry-store.js';
import { databaseLocation, type DatabaseFlags } from './database-options.js';

/** The SQLite file a location names, or undefined for PostgreSQL. */
export const sqlitePathOf = (location: DatabaseLocation): string | undefined => {
  if (location.dsn && isPostgresDsn(location.dsn)) return undefined;
  return parseSqliteDsn(location.dsn || location.path || DEFAULT_DB_PATH).path;
};

/** The one wording for a database that is not there. */
export const noDatabaseAt = (where: string): Error => new Error(`no database at ${where}`);

/**
 * Opens the database the flags name once it is known to be a profile-registry database (or,
 * with `mayCreate`, that nothing is there yet): anything else is refused before a byte is written.
 */
const openChecked = async (location: DatabaseLocation, mayCreate: boolean): Promise<SqlDatabase> => {
  const path = sqlitePathOf(location);
  if (path !== undefined) {
    if (inspectSqliteFile(path) === 'none') {
      if (!mayCreate) throw noDatabaseAt(path);
      // made whole beside its name, then linked into place: instances that start together on a
      // fresh path all open the one file that won, never an empty or half-made one
      if (path !== ':memory:') await createSqliteFile(parseSqliteDsn(location.dsn || location.path || DEFAULT_DB_PATH), (db) => ensureSchema(db));
    }
    return openDatabase(location);
  }
  const schema = await resolvePostgresSchema(location.dsn!, { requested: location.schema, mayCreate, settings: location.postgres });
  const db = openDatabase({ ...location, schema });
  try {
    // under the schema lock: an instance setting the schema up meanwhile has made some tables only
    const inspect = () => inspectPostgresSchema(db, db.location);
    const contents = db.withSchemaLock ? await db.withSchemaLock(inspect) : await inspect();
    if (contents === 'none' && !mayCreate) throw noDatabaseAt(db.location);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
};

/**
 * Opens the store to write. Only `serve` and `import` pass `mayCreate`: the others never create a
 * database, and no command sets up its tables in a file or schema that holds something else.
 */
export const openWritableStore = async (
  flags: DatabaseFlags & SigningKeysFlags,
  options: { mayCreate: boolean } & RegistryStoreOptions,
): Promise<RegistryStore> => {
  const { mayCreate, ...storeOptions } = options;
  // every command that writes seals its rows with the signing keys when it is given them
  storeOptions.signingKeys ??= await readSigningKeys(flags);
  return createRegistryStore(await openChecked(databaseLocation(flags), mayCreate), storeOptions);
};

/** Runs `fn` on the store and closes it, whatever happens. */
export const withStore = async <T>(flags: DatabaseFlags & SigningKeysFlags, fn: (store: RegistryStore) => Promise<T>): Promise<T> => {
  const store = await openWritableStore(flags, { mayCreate: false });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};

/**
 * Runs `fn` on the database opened read-only (verify, export, history, restore --dry-run): no
 * table is created, nothing migrated, checkpointed or chmod-ed; the file stays byte for byte.
 */
export const withReadOnlyDatabase = async <T>(flags: DatabaseFlags, fn: (db: SqlDatabase) => Promise<T>): Promise<T> => {
  const db = await openChecked({ ...databaseLocation(flags), readonly: true }, false);
  try {
    await db.readEventLayout?.();
    return await fn(db);
  } finally {
    await db.close();
  }
};

/** Writes from the command line are attributed like any other: to $USER, source `cli`. */
export const cliContext = (): CommandContext => ({
  actor: process.env.USER || process.env.LOGNAME || 'cli',
  source: 'cli',
  request_id: `cli-${nanoid(12)}`,
});
