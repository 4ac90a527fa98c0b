import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { sqlite3 } from '../support/sqlite3-shell.js';
import { tempDir } from '../support/test-store.js';

const waitFor = async (condition: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
};

describe('the SQLite WAL', () => {
  const dir = tempDir();
  afterEach(() => dir.remove());

  it('is copied into the database file by a worker once it passes 4 MiB, without a write waiting for it', async () => {
    const path = join(dir.dir, 'wal.db');
    const db = openDatabase({ path });
    await db.transaction(async (tx) => tx.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
    const fileSizeBefore = statSync(path).size;
    const body = 'x'.repeat(64 * 1024);
    for (let batch = 0; batch < 10; batch++) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 10; i++) await tx.run('INSERT INTO blobs (body) VALUES ($1)', [body]);
      });
    }
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4 * 1024 * 1024);
    // the writer checkpoints by itself only past 16 MiB: a bigger file here is the worker's copy
    expect(await waitFor(() => statSync(path).size > fileSizeBefore + 4 * 1024 * 1024, 10_000)).toBe(true);
    expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: 100 });
    await db.close();
  });
});

/** A write burst through the HTTP API: `count` new profiles. */
const writeBurst = async (url: string, count: number, prefix: string) => {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${url}/api/chat/profiles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ slug: `${prefix}-${i}`, runtime: { system_prompt: `prompt ${i} ${'x'.repeat(2000)}` } }),
      });
      expect(response.status).toBe(201);
    }),
  );
};

/** What `sqlite3` (the system binary) finds in a copy: its integrity and the profiles of registry default. */
const contentsOf = async (file: string) => {
  const check = await sqlite3(['-readonly', file, 'PRAGMA integrity_check;']);
  const events = await sqlite3(['-readonly', file, 'SELECT COUNT(*) FROM events;']);
  const profiles = await sqlite3([
    '-readonly',
    file,
    "SELECT COUNT(*) FROM profile_registries r, json_each(r.payload_json, '$.profiles') WHERE r.slug = 'default';",
  ]);
  return { check: check.stdout.trim(), events: Number(events.stdout.trim()), profiles: Number(profiles.stdout.trim()) };
};

describe('cp of the database file of a server (the runbook\'s backup)', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    dir.remove();
  });

  it('is a complete database within a second after a write burst, and after a clean stop', async () => {
    const path = join(dir.dir, 'profiles.db');
    server = await startServer(['--profile-registry-db', path]);
    await writeBurst(server.url, 40, 'burst');
    const wroteAt = Date.now();
    // the WAL is copied into the file and emptied once the writes pause
    expect(await waitFor(() => statSync(`${path}-wal`).size === 0, 1000)).toBe(true);
    expect(Date.now() - wroteAt).toBeLessThan(1000);
    execFileSync('cp', [path, join(dir.dir, 'idle-copy.db')]);
    // the seeded default profile and the 40 new ones, and every event the live database holds
    const live = await contentsOf(path);
    expect(live.profiles).toBe(41);
    expect(await contentsOf(join(dir.dir, 'idle-copy.db'))).toEqual(live);

    await writeBurst(server.url, 5, 'late');
    expect(await server.stop()).toBe(0);
    server = undefined;
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
    execFileSync('cp', [path, join(dir.dir, 'stopped-copy.db')]);
    expect(await contentsOf(join(dir.dir, 'stopped-copy.db'))).toEqual({ check: 'ok', events: live.events + 5, profiles: 46 });
  }, 60_000);
});
