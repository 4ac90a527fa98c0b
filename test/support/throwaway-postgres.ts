import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

const BIN = process.env.PROFILE_REGISTRY_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** initdb refuses root: as root, the cluster runs as the `postgres` user. */
const asRoot = userInfo().uid === 0;
const clusterUser = (): { uid: number; gid: number } | undefined => {
  if (!asRoot) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
};

/** Whether a throwaway cluster can be made here (PostgreSQL's binaries, and a non-root user when root). */
export const throwawayPostgresAvailable = ((): boolean => {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) return false;
  try {
    clusterUser();
    return true;
  } catch {
    return false;
  }
})();

const run = async (tool: string, args: string[]): Promise<void> => {
  const command = asRoot ? 'runuser' : join(BIN, tool);
  const fullArgs = asRoot ? ['-u', 'postgres', '--', join(BIN, tool), ...args] : args;
  await promisify(execFile)(command, fullArgs, { timeout: 60_000 });
};

export interface ThrowawayPostgres {
  url: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}

/** A PostgreSQL cluster of its own in a temp folder (initdb + pg_ctl), that a test may stop and start. */
export const createThrowawayPostgres = async (): Promise<ThrowawayPostgres> => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-pg-'));
  const user = clusterUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => undefined); // unless already stopped
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
