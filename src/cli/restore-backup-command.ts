import { linkSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { inspectSqliteFile } from '../events/inspect-database.js';
import { openDatabase } from '../events/open-database.js';
import { backupSqlite } from '../events/sqlite/backup-sqlite.js';
import { withDatabaseExclusive } from '../events/sqlite/database-in-use.js';
import { setDatabaseAside } from '../events/sqlite/set-aside-database.js';
import { renewStoreIdentity } from '../events/store-identity.js';
import { createRegistryStore } from '../use-cases/registry-store.js';
import { verifyFailureLine, verifyStore } from '../projections/verify-store.js';
import { noDatabaseAt, sqlitePathOf } from './cli-store.js';
import { databaseLocation, databaseOptions, type DatabaseFlags } from './database-options.js';
import { fsyncPath } from '../events/sqlite/fsync-path.js';

const sameFile = (a: string, b: string): boolean => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * Puts a backup in the place of the SQLite database, the way that cannot go wrong: the backup is
 * copied beside the database (one consistent snapshot, with the backup's own -wal if it has one),
 * upgraded, verified and given a new store identity there; then, only if no process has the
 * database open, the database and its -wal / -shm are moved aside together (numbered, never
 * overwritten) and the copy is linked into place. Any failure before that last step leaves the
 * database as it was.
 */
export const restoreBackupCommand = (): Command =>
  databaseOptions(
    new Command('restore-backup').description(
      'replace the SQLite database (server stopped) with a backup: verified first, the old files and their -wal/-shm kept aside',
    ),
  )
    .argument('<file>', 'the backup (a file `backup` wrote, or a copy of a stopped database)')
    .action(async (file: string, flags: DatabaseFlags) => {
      const live = sqlitePathOf(databaseLocation(flags));
      if (live === undefined || live === ':memory:') {
        throw new Error(
          'restore-backup restores SQLite files; for PostgreSQL use pg_restore, then `profile-registry rebuild` (it gives the store a new identity, so that watchers start over)',
        );
      }
      if (inspectSqliteFile(file) === 'none') throw noDatabaseAt(file);
      if (sameFile(file, live)) throw new Error(`cannot restore ${file}: it is the live database itself`);
      const folder = dirname(live);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const temp = join(folder, `.${basename(live)}.restoring-${process.pid}`);
      const removeTemp = () => {
        for (const each of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(each, { force: true });
      };
      try {
        backupSqlite(file, temp, { overwrite: false });
        const store = await createRegistryStore(openDatabase({ path: temp }));
        let identity: string;
        let summary: string;
        try {
          const report = await verifyStore(store.db);
          const failure = verifyFailureLine(report);
          if (failure) throw new Error(`the backup ${file} does not verify (${failure}); nothing was changed`);
          summary = `${report.events} events in ${report.streams} registries, hash chains intact, projections match the events`;
          identity = await renewStoreIdentity(store.db);
        } finally {
          await store.close();
        }
        const outcome = withDatabaseExclusive(live, () => {
          const moved = setDatabaseAside(live);
          linkSync(temp, live);
          return moved;
        });
        if (outcome.state === 'in-use') {
          throw new Error(`${live} is open in another process (a running server?): stop it, then run restore-backup again; nothing was changed`);
        }
        fsyncPath(folder);
        const lines = [`restore-backup: verified ${file}: ${summary}`];
        for (const { from, to } of outcome.result) {
          const why = from === live ? 'the replaced database' : 'it belonged to the replaced database, not to the backup';
          lines.push(`restore-backup: kept ${from} as ${to} (${why})`);
        }
        lines.push(
          `restored ${live} from ${file}; new store identity ${identity}: watchers that resume from a position of the replaced store are told to start over`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        removeTemp();
      }
    });
