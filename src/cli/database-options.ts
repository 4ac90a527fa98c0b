import { Option, type Command } from 'commander';
import { DEFAULT_DB_PATH, type DatabaseLocation } from '../events/open-database.js';

export interface DatabaseFlags {
  profileRegistryDb?: string;
  profileRegistryDsn?: string;
}

/** `--profile-registry-db` / `--profile-registry-dsn` (and their env variables); the DSN wins. */
export const databaseOptions = (command: Command): Command =>
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
    );

export const databaseLocation = (flags: DatabaseFlags): DatabaseLocation => ({
  dsn: flags.profileRegistryDsn,
  path: flags.profileRegistryDb,
});
