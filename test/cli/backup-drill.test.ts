import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

describe('backup drill on a live SQLite server', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'data', 'profiles.db');
  const backup = join(dir, 'backups', 'profiles-backup.db');
  const dbArgs = ['--profile-registry-db', db];
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    remove();
  });

  it('takes a consistent 0600 copy while writes go on; the restored copy verifies and holds every write acknowledged before it', async () => {
    server = await startServer(dbArgs);
    const { url } = server;
    const acknowledged: string[] = [];
    let writing = true;
    let counter = 0;
    const writer = async () => {
      while (writing) {
        const slug = `w-${counter++}`;
        const response = await fetch(`${url}/api/chat/profiles`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-actor': 'drill' },
          body: JSON.stringify({ slug, runtime: { system_prompt: `prompt ${slug}`, tools: ['search'] } }),
        });
        expect(response.status).toBe(201);
        acknowledged.push(slug);
      }
    };
    const writers = [writer(), writer(), writer()];
    while (acknowledged.length < 60) await new Promise((done) => setTimeout(done, 10));

    mkdirSync(join(dir, 'backups'));
    const beforeBackup = [...acknowledged];
    const result = await runCli(['backup', backup, ...dbArgs]);
    const afterBackupCount = acknowledged.length;
    while (acknowledged.length < afterBackupCount + 30) await new Promise((done) => setTimeout(done, 10));
    writing = false;
    await Promise.all(writers);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(afterBackupCount).toBeGreaterThan(beforeBackup.length); // writes went on during the backup
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'backups'))).toEqual(['profiles-backup.db']);

    const again = await runCli(['backup', backup, ...dbArgs]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists \(use --force/);

    expect(await server.stop()).toBe(0);
    server = undefined;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    copyFileSync(backup, db);

    server = await startServer(dbArgs);
    const verify = await runCli(['verify', ...dbArgs]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verify ok: /);
    const listed = (await (await fetch(`${server.url}/api/chat/profiles`)).json()) as { slug: string }[];
    const present = new Set(listed.map((profile) => profile.slug));
    expect(beforeBackup.filter((slug) => !present.has(slug))).toEqual([]);
    expect(present.has(acknowledged[acknowledged.length - 1])).toBe(false); // written after the copy

  });
});
