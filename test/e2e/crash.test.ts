import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventProfile } from '../../src/events/event-types.js';
import { openDatabase, type DatabaseLocation } from '../../src/events/open-database.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { projectionRows } from '../support/store-snapshot.js';
import { describeEachBackend } from '../support/backends.js';
import { createTestSchema, PG_URL } from '../support/postgres.js';
import { tempDir, type Backend } from '../support/test-store.js';

interface TestDatabase {
  /** The `serve` flags that choose it. */
  flags: string[];
  location: DatabaseLocation;
  remove: () => Promise<void>;
}

/** A fresh SQLite file, or a fresh PostgreSQL schema named in the DSN the server gets. */
const testDatabase = async (backend: Backend): Promise<TestDatabase> => {
  if (backend === 'sqlite') {
    const { dir, remove } = tempDir();
    const path = join(dir, 'p.db');
    return { flags: ['--profile-registry-db', path], location: { path }, remove: async () => remove() };
  }
  const { schema, drop } = await createTestSchema();
  const dsn = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return { flags: ['--profile-registry-dsn', dsn], location: { dsn: PG_URL, schema }, remove: drop };
};

interface Acknowledged {
  created: string[];
  /** Versions the `counter` profile answered with. */
  counterVersions: number[];
}

const post = (url: string, path: string, body: unknown, method = 'POST') =>
  fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Writers that keep creating profiles and patching `counter` until `stop()`, remembering every 2xx. */
const writeStream = (url: string, writers: number) => {
  const acknowledged: Acknowledged = { created: [], counterVersions: [] };
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const i = next++;
      try {
        if (i % 3 === 2) {
          const response = await post(url, '/api/chat/profiles/counter', { description: `write ${i}` }, 'PATCH');
          if (response.ok) acknowledged.counterVersions.push((await response.json()).metadata.version);
        } else {
          const slug = `w-${i}`;
          const response = await post(url, '/api/chat/profiles', { slug, runtime: { system_prompt: `prompt ${i}`, tools: ['search'] } });
          if (response.status === 201) acknowledged.created.push(slug);
        }
      } catch {
        return; // the server is gone: this write's outcome is unknown
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, worker));
  return {
    acknowledged,
    count: () => acknowledged.created.length + acknowledged.counterVersions.length,
    stop: async () => {
      stopped = true;
      await done;
    },
    done,
  };
};

const waitFor = async (condition: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** Checks, once the server is gone, that every acknowledged write is an event, versions have no gap, and the projection matches the events. */
const expectDurable = async (location: DatabaseLocation, acknowledged: Acknowledged) => {
  const db = openDatabase(location);
  try {
    const events = await db.events.readStream('default');
    expect(events.map((event) => event.stream_version)).toEqual(events.map((_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(events[i].prev_hash).toBe(events[i - 1].hash);
    const created = new Set(events.filter((event) => event.type === 'profile.created').map(eventProfile));
    for (const slug of acknowledged.created) expect(created.has(slug), slug).toBe(true);
    const counter = events.filter((event) => eventProfile(event) === 'counter').map((event) => (event.data as { version: number }).version);
    expect(counter).toEqual(counter.map((_, i) => i + 1));
    expect(counter.length).toBeGreaterThanOrEqual(Math.max(0, ...acknowledged.counterVersions));
    const rows = await projectionRows(db);
    await rebuildProjections(db);
    expect(await projectionRows(db)).toEqual(rows);
  } finally {
    await db.close();
  }
};

describeEachBackend('the real server on %s', (backend) => {
  let database: TestDatabase;
  const started: ServerProcess[] = [];
  const start = async () => {
    const server = await startServer(database.flags);
    started.push(server);
    return server;
  };
  beforeEach(async () => {
    database = await testDatabase(backend);
  });
  afterEach(async () => {
    for (const server of started.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await database.remove();
  });

  /** A server on a fresh database, busy with `writers` writers that already had `acknowledged` writes answered. */
  const busyServer = async (writers: number, acknowledged: number) => {
    const server = await start();
    expect((await post(server.url, '/api/chat/profiles', { slug: 'counter' })).status).toBe(201);
    const stream = writeStream(server.url, writers);
    await waitFor(() => stream.count() >= acknowledged);
    return { server, stream };
  };

  it('keeps every acknowledged write through a SIGKILL mid-stream', { timeout: 60_000 }, async () => {
    const { server: first, stream } = await busyServer(16, 150);
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await stream.done;
    const { acknowledged } = stream;
    expect(acknowledged.created.length).toBeGreaterThan(50);

    const second = await start();
    const list = await (await fetch(`${second.url}/api/chat/profiles`)).json();
    const slugs = new Set(list.map((profile: { slug: string }) => profile.slug));
    for (const slug of acknowledged.created) expect(slugs.has(slug), slug).toBe(true);
    const counter = await (await fetch(`${second.url}/api/chat/profiles/counter`)).json();
    expect(counter.metadata.version).toBeGreaterThanOrEqual(Math.max(...acknowledged.counterVersions));
    const after = await post(second.url, '/api/chat/profiles/counter', { description: 'after the crash', expected_version: counter.metadata.version }, 'PATCH');
    expect(after.status).toBe(200);
    expect((await after.json()).metadata.version).toBe(counter.metadata.version + 1);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    await expectDurable(database.location, acknowledged);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'finishes in-flight requests on %s and exits 0',
    { timeout: 60_000 },
    async (signal) => {
      const { server, stream } = await busyServer(8, 30);
      server.child.kill(signal);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      await stream.done;
      expect(server.output()).not.toMatch(/"level":(50|60)/);
      await expectDurable(database.location, stream.acknowledged);
    },
  );

  it('answers a request whose body is still arriving when SIGTERM comes', { timeout: 60_000 }, async () => {
    const server = await start();
    const body = JSON.stringify({ slug: 'late', description: 'sent in two halves' });
    const slow = request(`${server.url}/api/chat/profiles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = new Promise<{ status?: number; text: string }>((resolve, reject) => {
      slow.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, text }));
      });
      slow.on('error', reject);
    });
    slow.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.child.exitCode).toBeNull();
    slow.end(body.slice(10));
    const response = await answered;
    expect(response.status, response.text).toBe(201);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expectDurable(database.location, { created: ['late'], counterVersions: [] });
  });
});
