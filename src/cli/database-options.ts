import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_DB_PATH, type DatabaseLocation } from '../events/open-database.js';
import { DEFAULT_POSTGRES_SETTINGS } from '../events/postgres/postgres-settings.js';
import { checkSchemaName, DEFAULT_PG_SCHEMA } from '../events/postgres/postgres-schema.js';

export interface DatabaseFlags {
  profileRegistryDb?: string;
  profileRegistryDsn?: string;
  pgPoolSize?: number;
  pgStatementTimeout?: number;
  pgConnectTimeout?: number;
  pgApplicationName?: string;
  pgReadLease?: number;
  pgSchema?: string;
}

const integerAtLeast = (minimum: number) => (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new InvalidArgumentError(`must be an integer ≥ ${minimum}`);
  return number;
};

/**
 * `--profile-registry-db` / `--profile-registry-dsn` (and their env variables); the DSN wins.
 * PostgreSQL's pool settings. A statement timeout protects a server's requests (serve passes its
 * 10 s); the operator's commands read or write a whole store, whose statements may rightly take
 * longer at 1,000,000 events, so they default to none.
 */
export const databaseOptions = (command: Command, { statementTimeoutMs = 0 }: { statementTimeoutMs?: number } = {}): Command =>
  command
    .addOption(
      new Option('--profile-registry-db <path>', 'SQLite database file')
        .env('PROFILE_REGISTRY_DB')
        .default(DEFAULT_DB_PATH),
    )
    .addOption(
      new Option('--profile-registry-dsn <dsn>', 'go-sqlite3 DSN (file:...?_journal_mode=WAL) or postgres:// URL').env(
        'PROFILE_REGISTRY_DSN',
      ),
    )
    .addOption(
      new Option('--pg-pool-size <n>', 'PostgreSQL: connections in the pool (LISTEN uses one more)')
        .env('PROFILE_REGISTRY_PG_POOL_SIZE')
        .default(DEFAULT_POSTGRES_SETTINGS.poolSize)
        .argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option('--pg-statement-timeout <ms>', 'PostgreSQL: cancel a statement after this long (503); 0 for never')
        .env('PROFILE_REGISTRY_PG_STATEMENT_TIMEOUT_MS')
        .default(statementTimeoutMs)
        .argParser(integerAtLeast(0)),
    )
    .addOption(
      new Option('--pg-connect-timeout <ms>', 'PostgreSQL: give up opening a connection after this long (503)')
        .env('PROFILE_REGISTRY_PG_CONNECT_TIMEOUT_MS')
        .default(DEFAULT_POSTGRES_SETTINGS.connectTimeoutMs)
        .argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option('--pg-application-name <name>', 'PostgreSQL: application_name shown in pg_stat_activity')
        .env('PROFILE_REGISTRY_PG_APPLICATION_NAME')
        .default(DEFAULT_POSTGRES_SETTINGS.applicationName),
    )
    .addOption(
      new Option('--pg-read-lease <ms>', 'PostgreSQL: reads trust a head checked this recently; writes wait this long before their 2xx (same on every instance)')
        .env('PROFILE_REGISTRY_PG_READ_LEASE_MS')
        .default(DEFAULT_POSTGRES_SETTINGS.readLeaseMs)
        .argParser(integerAtLeast(0)),
    )
    .addOption(
      new Option('--pg-schema <name>', `PostgreSQL: the schema that holds the tables (default: ${DEFAULT_PG_SCHEMA}, or where an earlier install put them)`)
        .env('PROFILE_REGISTRY_PG_SCHEMA')
        .argParser(schemaName),
    );

const schemaName = (value: string): string => {
  try {
    return checkSchemaName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

export const databaseLocation = (flags: DatabaseFlags): DatabaseLocation => ({
  dsn: flags.profileRegistryDsn,
  path: flags.profileRegistryDb,
  schema: flags.pgSchema,
  postgres: {
    poolSize: flags.pgPoolSize,
    statementTimeoutMs: flags.pgStatementTimeout,
    connectTimeoutMs: flags.pgConnectTimeout,
    applicationName: flags.pgApplicationName,
    readLeaseMs: flags.pgReadLease,
  },
});
