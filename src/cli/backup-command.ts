import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { keepPolicyText, parseKeepPolicy, planRetention, type TierRule } from '../domain/backup-retention.js';
import { backupName, deleteBackups, listBackups } from '../events/backup-folder.js';
import { backupSqlite } from '../events/sqlite/backup-sqlite.js';
import { databaseLocation, databaseOptions, type DatabaseFlags } from './database-options.js';
import { inspectSqliteFile } from '../events/inspect-database.js';
import { noDatabaseAt, sqlitePathOf } from './cli-store.js';

interface BackupFlags extends DatabaseFlags {
  force: boolean;
  keep?: TierRule[];
  dryRun: boolean;
}

const isFolder = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

const keepOption = (value: string): TierRule[] => {
  try {
    return parseKeepPolicy(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const print = (lines: string[]): void => {
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
};

/**
 * After the backup: deletes the backups of the folder that the policy does not keep (the plan is
 * made in full first; the newest, the one just written, is always kept). A dry run plans with
 * the backup it would have written and touches nothing.
 */
const prune = (dir: string, rules: TierRule[], nowMs: number, dryRun: boolean, written: string): void => {
  const backups = listBackups(dir);
  if (!backups.some((backup) => backup.name === written)) backups.push({ name: written, atMs: nowMs });
  const plan = planRetention(backups, rules, nowMs, written);
  const policy = keepPolicyText(rules);
  if (dryRun) {
    print([
      ...plan.remove.map((name) => `would delete ${join(dir, name)}`),
      `retention ${policy}: would keep ${plan.keep.length}, would delete ${plan.remove.length} (dry run: nothing written or deleted)`,
    ]);
    return;
  }
  deleteBackups(dir, plan.remove);
  print([...plan.remove.map((name) => `deleted ${join(dir, name)}`), `retention ${policy}: kept ${plan.keep.length}, deleted ${plan.remove.length}`]);
};

export const backupCommand = (): Command =>
  databaseOptions(new Command('backup').description('copy the live SQLite database to DEST (consistent, mode 0600, atomic)'))
    .argument('<dest>', 'backup file (or a folder to put a time-stamped file in)')
    .option('--force', 'overwrite DEST if it exists', false)
    .option('--keep <policy>', 'DEST a folder: then delete its older backups but the newest of each day/week/month: daily=7,weekly=4,monthly=6 or 7/14/30 (days)', keepOption)
    .option('--dry-run', 'with --keep: list what would be deleted; write and delete nothing', false)
    .action(async (dest: string, flags: BackupFlags) => {
      const source = sqlitePathOf(databaseLocation(flags));
      if (source === undefined) {
        throw new Error('backup copies SQLite files; for PostgreSQL use pg_dump (e.g. pg_dump -Fc -f profiles.dump "$DSN")');
      }
      if (flags.dryRun && flags.keep === undefined) throw new Error('--dry-run goes with --keep (a backup without it has nothing to list)');
      if (flags.keep !== undefined && !isFolder(dest)) throw new Error(`--keep prunes a folder of backups: ${dest} is not a folder`);
      if (inspectSqliteFile(source) === 'none') throw noDatabaseAt(source);
      const nowMs = Date.now();
      const file = isFolder(dest) ? join(dest, backupName(nowMs)) : dest;
      if (flags.dryRun) {
        print([`would back up ${source} to ${file}`]);
        prune(dest, flags.keep!, nowMs, true, backupName(nowMs));
        return;
      }
      backupSqlite(source, file, { overwrite: flags.force });
      print([`backed up ${source} to ${file} in ${Date.now() - nowMs} ms`]);
      if (flags.keep !== undefined) prune(dest, flags.keep, nowMs, false, backupName(nowMs));
    });
