import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import { keepPolicyText, parseKeepPolicy, type TierRule } from '../domain/backup-retention.js';

export interface ServeBackupFlags {
  backupEvery?: number;
  backupDir?: string;
  keep?: TierRule[];
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `1d`. */
const parseEvery = (value: string): number => {
  const match = /^\s*(\d+)\s*([smhd])\s*$/.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000) throw new InvalidArgumentError('must be a duration such as 90s, 30m, 1h or 1d');
  return ms;
};

const parseKeep = (value: string): TierRule[] => {
  try {
    return parseKeepPolicy(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** `serve --backup-every 1h --backup-dir DIR [--keep daily=7,weekly=4,monthly=6]`. */
export const serveBackupOptions = (command: Command): Command =>
  command
    .option('--backup-every <duration>', 'SQLite: write a backup into --backup-dir this often (90s, 30m, 1h, 1d)', parseEvery)
    .option('--backup-dir <dir>', 'the folder of those backups (as `backup DIR`)')
    .option('--keep <policy>', 'after each of those backups, prune the folder as `backup DIR --keep` does', parseKeep);

/** Refuses, before anything is opened, settings that could not back up. `sqlitePath` is undefined on PostgreSQL. */
export const checkServeBackupFlags = (flags: ServeBackupFlags, sqlitePath: string | undefined): void => {
  if ((flags.backupEvery === undefined) !== (flags.backupDir === undefined)) throw new Error('give both --backup-every and --backup-dir, or neither');
  if (flags.keep !== undefined && flags.backupDir === undefined) throw new Error('--keep goes with --backup-every and --backup-dir');
  if (flags.backupDir === undefined) return;
  if (sqlitePath === undefined) throw new Error('--backup-every makes SQLite backups; for PostgreSQL use pg_dump (e.g. from a timer)');
  if (!existsSync(flags.backupDir) || !statSync(flags.backupDir).isDirectory()) throw new Error(`--backup-dir ${flags.backupDir} is not a folder`);
};

const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Runs `profile-registry backup DIR [--keep ...]` every so often, in a child process: the copy
 * (VACUUM INTO) and the pruning then never hold the server's event loop. One at a time; a stop
 * waits for the one under way, so that no half-made backup and no child process are left.
 */
export const startServeBackups = (flags: ServeBackupFlags, sqlitePath: string | undefined, log: FastifyBaseLogger) => {
  if (flags.backupEvery === undefined || flags.backupDir === undefined || sqlitePath === undefined) return undefined;
  const dir = flags.backupDir;
  const args = [CLI_MAIN, 'backup', dir, '--profile-registry-db', sqlitePath, ...(flags.keep ? ['--keep', keepPolicyText(flags.keep)] : [])];
  const env = { ...process.env };
  delete env.PROFILE_REGISTRY_DSN;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = new Promise<void>((resolve) => {
      execFile(process.execPath, args, { env }, (error, stdout, stderr) => {
        if (error) log.error({ dir, error: stderr.trim() || error.message }, 'scheduled backup failed');
        else log.info({ dir, output: stdout.trim().split('\n') }, 'scheduled backup written');
        running = undefined;
        resolve();
      });
    });
  };
  const timer = setInterval(run, flags.backupEvery);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
