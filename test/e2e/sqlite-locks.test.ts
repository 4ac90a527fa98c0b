import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { holdWriteLock } from '../support/sqlite3-shell.js';
import { tempDir } from '../support/test-store.js';

const timed = async (url: string, init?: RequestInit) => {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.text();
  return { response, body, ms: performance.now() - started };
};

const patch = (url: string, description: string) =>
  timed(`${url}/api/chat/profiles/default`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ description }),
  });

describe('a server whose SQLite file another process holds locked (sqlite3 in BEGIN IMMEDIATE)', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    dir.remove();
  });

  it('answers health, readiness and reads at once, and a write 503 with Retry-After once its wait for the lock is over', async () => {
    const path = join(dir.dir, 'profiles.db');
    server = await startServer(['--profile-registry-dsn', `file:${path}?_busy_timeout=1500`]);
    const url = server.url;
    expect((await patch(url, 'before the lock')).response.status).toBe(200);

    const lock = await holdWriteLock(path);
    try {
      // a write waits for the lock meanwhile: the event loop must stay free for everyone else
      const waiting = patch(url, 'while locked');
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const route of ['/healthz', '/readyz', '/api/chat/profiles/default', '/api/registries']) {
        const { response, ms } = await timed(`${url}${route}`);
        expect(response.status, route).toBe(200);
        expect(ms, route).toBeLessThan(100);
      }
      const refused = await waiting;
      expect(refused.response.status).toBe(503);
      expect(refused.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(JSON.parse(refused.body)).toMatchObject({ status: 503, type: expect.stringContaining('database-unavailable') });
      // it waited for the lock (the DSN's _busy_timeout), not longer
      expect(refused.ms).toBeGreaterThan(1400);
      expect(refused.ms).toBeLessThan(4000);
      // the refused write left nothing behind
      const read = await timed(`${url}/api/chat/profiles/default`);
      expect(JSON.parse(read.body).description).toBe('before the lock');
    } finally {
      await lock.release();
    }

    const after = await patch(url, 'after the lock');
    expect(after.response.status).toBe(200);
    expect(JSON.parse(after.body).description).toBe('after the lock');
  }, 60_000);

  it('lets a write through as soon as the lock is released within its wait', async () => {
    const path = join(dir.dir, 'profiles.db');
    server = await startServer(['--profile-registry-dsn', `file:${path}?_busy_timeout=5000`]);
    const lock = await holdWriteLock(path);
    const waiting = patch(server.url, 'waited');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lock.release();
    const written = await waiting;
    expect(written.response.status).toBe(200);
    expect(written.ms).toBeLessThan(3000);
  }, 60_000);
});
