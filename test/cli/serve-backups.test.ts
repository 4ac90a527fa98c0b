import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { freePort, startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const backupsIn = (folder: string) => readdirSync(folder).filter((name) => /^profiles-\d{8}T\d{6}Z\.db$/.test(name));

describe('serve --backup-every --backup-dir --keep', () => {
  const { dir, remove } = tempDir();
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    remove();
  });

  it('writes a backup into the folder on schedule, off the event loop, and prunes it by the policy', async () => {
    const folder = join(dir, 'backups');
    mkdirSync(folder);
    server = await startServer(
      ['--profile-registry-db', join(dir, 'profiles.db'), '--backup-every', '2s', '--backup-dir', folder, '--keep', 'daily=1'],
      { logLevel: 'info' },
    );
    const written = () => server!.output().split('\n').filter((line) => line.includes('"scheduled backup written"'));
    const deadline = Date.now() + 60_000;
    while (written().length < 3 && Date.now() < deadline) {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(written().length, server.output()).toBeGreaterThanOrEqual(3);
    // daily=1: of today's backups only the newest stays; the log says what went
    expect(server.output()).toMatch(/"deleted [^"]+profiles-\d{8}T\d{6}Z\.db"/);
    // a stop waits for the backup under way: then the folder holds today's newest backup alone
    expect(await server.stop()).toBe(0);
    const left = backupsIn(folder);
    expect(left).toHaveLength(1);
    const verify = await runCli(['verify', '--profile-registry-db', join(folder, left[0])]);
    expect(verify.stdout, verify.stderr).toMatch(/^verify ok/);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses settings it could not follow, before it opens anything', async () => {
    const port = String(await freePort());
    const db = join(dir, 'refused', 'profiles.db');
    for (const [args, message] of [
      [['--backup-every', '1h'], 'give both --backup-every and --backup-dir, or neither'],
      [['--backup-every', '1h', '--backup-dir', join(dir, 'nowhere')], `--backup-dir ${join(dir, 'nowhere')} is not a folder`],
      [['--backup-every', 'soon', '--backup-dir', dir], 'must be a duration such as 90s, 30m, 1h or 1d'],
      [['--keep', 'daily=7'], '--keep goes with --backup-every and --backup-dir'],
    ] as [string[], string][]) {
      const run = await runCli(['serve', '--port', port, '--profile-registry-db', db, ...args]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain(message);
      expect(readdirSync(dir)).not.toContain('refused');
    }
  });
});
