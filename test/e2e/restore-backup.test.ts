import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { sqlite3 } from '../support/sqlite3-shell.js';
import { tempDir } from '../support/test-store.js';

const create = async (url: string, slug: string) => {
  const response = await fetch(`${url}/api/chat/profiles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ slug, runtime: { system_prompt: `I am ${slug}` } }),
  });
  expect(response.status).toBe(201);
};
const slugs = async (url: string) => ((await (await fetch(`${url}/api/chat/profiles`)).json()) as Array<{ slug: string }>).map((p) => p.slug).sort();
const feed = async (url: string, after: string) => {
  const response = await fetch(`${url}/api/watch?after=${after}`, { headers: { accept: 'application/json' } });
  return { status: response.status, body: await response.json() };
};
const killHard = async (server: ServerProcess) => {
  server.child.kill('SIGKILL');
  await server.exited;
};

describe('the runbook restore, with restore-backup (SQLite, real commands)', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (server) await killHard(server);
    dir.remove();
  });

  it('refuses while a server has the database open, then restores a verified backup after kill -9, keeping every replaced file', async () => {
    const db = join(dir.dir, 'data', 'profiles.db');
    const backup = join(dir.dir, 'backup.db');
    const args = ['--profile-registry-db', db];
    server = await startServer(args);
    await create(server.url, 'kept');
    expect((await runCli(['backup', backup, ...args])).code).toBe(0);
    const { identity: before, next_after: atBackup } = (await feed(server.url, '0')).body as { identity: string; next_after: number };
    // the backup is the same store: it keeps its identity (restore-backup gives it a new one)
    expect((await sqlite3(['-readonly', backup, 'SELECT identity FROM store_identity;'])).stdout.trim()).toBe(before);

    const refused = await runCli(['restore-backup', backup, ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${db} is open in another process (a running server?): stop it, then run restore-backup again; nothing was changed`);
    expect(existsSync(`${db}.replaced-1`)).toBe(false);
    expect(await slugs(server.url)).toEqual(['default', 'kept']);

    // writes after the backup, still in the WAL when the server is killed
    await create(server.url, 'lost-1');
    await create(server.url, 'lost-2');
    const seenBeforeRestore = (await feed(server.url, '0')).body.next_after as number;
    await killHard(server);
    server = undefined;
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const walBytes = readFileSync(`${db}-wal`);

    const restored = await runCli(['restore-backup', backup, ...args]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`restore-backup: verified ${backup}: `);
    expect(restored.stdout).toContain(`restore-backup: kept ${db} as ${db}.replaced-1 (the replaced database)`);
    expect(restored.stdout).toContain(`restore-backup: kept ${db}-wal as ${db}.replaced-1-wal (it belonged to the replaced database, not to the backup)`);
    expect(restored.stdout).toMatch(new RegExp(`restored ${db} from ${backup}; new store identity [0-9a-f]{16}`));
    // the replaced files are kept exactly as they were: together they still hold the lost writes
    expect(readFileSync(`${db}.replaced-1-wal`).equals(walBytes)).toBe(true);
    const old = await sqlite3(['-readonly', `${db}.replaced-1`, "SELECT COUNT(*) FROM events WHERE type = 'profile.created';"]);
    expect(old.stdout.trim()).toBe('4'); // default, kept, lost-1, lost-2
    expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect((await runCli(['verify', ...args])).stdout).toMatch(/^verify ok/);

    server = await startServer(args);
    expect(await slugs(server.url)).toEqual(['default', 'kept']);
    await create(server.url, 'after-restore');
    // a watcher of the store before: its position, and positions past the new head, are answered, never skipped
    const gone = await feed(server.url, `${before}:${atBackup}`);
    expect(gone.status).toBe(410);
    expect(gone.body.identity).not.toBe(before);
    expect((await feed(server.url, String(seenBeforeRestore + 1))).status).toBe(410);

    // a second restore keeps the first replaced files and numbers the next
    await server.stop();
    server = undefined;
    const again = await runCli(['restore-backup', backup, ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`kept ${db} as ${db}.replaced-2`);
    expect(readFileSync(`${db}.replaced-1-wal`).equals(walBytes)).toBe(true);
  }, 120_000);

  it('sets aside the stale -wal that the runbook\'s `cp backup.db data/profiles.db` leaves behind, and refuses a backup that does not verify', async () => {
    const db = join(dir.dir, 'profiles.db');
    const backup = join(dir.dir, 'backup.db');
    const args = ['--profile-registry-db', db];
    server = await startServer(args);
    await create(server.url, 'kept');
    expect((await runCli(['backup', backup, ...args])).code).toBe(0);
    await create(server.url, 'later');
    await killHard(server);
    server = undefined;
    // the runbook's restore: the stale -wal of the killed server stays beside the copy
    execFileSync('cp', [backup, db]);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);

    const tampered = join(dir.dir, 'tampered.db');
    execFileSync('cp', [backup, tampered]);
    await sqlite3([tampered, "UPDATE events SET data_json = replace(data_json, 'kept', 'kept!') WHERE type = 'profile.created';"]);
    const refused = await runCli(['restore-backup', tampered, ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the backup .*tampered\.db does not verify \(.*\); nothing was changed/);
    expect(existsSync(`${db}.replaced-1`)).toBe(false);
    const notOurs = await runCli(['restore-backup', join(dir.dir, 'missing.db'), ...args]);
    expect(notOurs.stderr).toContain(`no database at ${join(dir.dir, 'missing.db')}`);

    const restored = await runCli(['restore-backup', backup, ...args]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`kept ${db}-wal as ${db}.replaced-1-wal`);
    server = await startServer(args);
    expect(await slugs(server.url)).toEqual(['default', 'kept']);
  }, 120_000);
});
