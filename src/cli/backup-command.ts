import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { backupSqlite } from '../events/sqlite/backup-sqlite.js';
import { databaseLocation, databaseOptions, type DatabaseFlags } from './database-options.js';
import { inspectSqliteFile } from '../events/inspect-database.js';
import { noDatabaseAt, sqlitePathOf } from './cli-store.js';

interface BackupFlags extends DatabaseFlags {
  force: boolean;
}

/** DEST as given, or a time-stamped file inside it when it is a folder. */
const backupFile = (dest: string): string => {
  if (!existsSync(dest) || !statSync(dest).isDirectory()) return dest;
  return join(dest, `profiles-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`);
};

export const backupCommand = (): Command =>
  databaseOptions(new Command('backup').description('copy the live SQLite database to DEST (consistent, mode 0600, atomic)'))
    .argument('<dest>', 'backup file (or a folder to put a time-stamped file in)')
    .option('--force', 'overwrite DEST if it exists', false)
    .action(async (dest: string, flags: BackupFlags) => {
      const source = sqlitePathOf(databaseLocation(flags));
      if (source === undefined) {
        throw new Error('backup copies SQLite files; for PostgreSQL use pg_dump (e.g. pg_dump -Fc -f profiles.dump "$DSN")');
      }
      if (inspectSqliteFile(source) === 'none') throw noDatabaseAt(source);
      const file = backupFile(dest);
      const started = Date.now();
      backupSqlite(source, file, { overwrite: flags.force });
      process.stdout.write(`backed up ${source} to ${file} in ${Date.now() - started} ms\n`);
    });
