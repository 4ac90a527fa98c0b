import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { loadRegistryBundle } from '../support/registry-bundle.js';
import { openSse } from '../support/sse-client.js';
import { openTestStore, type TestStore, buildTestApp } from '../support/test-store.js';

/** The position of an SSE `id:` (`<store identity>:<position>`). */
const positionOf = (id: string | undefined): number => {
  const match = /^[0-9a-f]{16}:(\d+)$/.exec(id ?? '');
  if (!match) throw new Error(`not a feed id: ${id}`);
  return Number(match[1]);
};

describeEachBackend('change feed over a real listening server on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let base: string;
  const send = async (method: string, path: string, body?: object) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, at: Date.now(), json: response.status === 204 ? undefined : await response.json() };
  };
  const head = async () => Number((await t.store.db.get<{ p: number }>('SELECT MAX(position) AS p FROM events'))?.p ?? 0);

  beforeAll(async () => {
    t = await openTestStore(backend);
    app = await buildTestApp({ store: t.store, watchHeartbeatMs: 50, watchPollMs: 100 });
    await loadRegistryBundle(app);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('delivers a change to a watcher within a second of the 2xx, with its fingerprint', async () => {
    const watcher = openSse(`${base}/api/watch`);
    expect(await watcher.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const created = await send('POST', '/api/chat/profiles', { slug: 'watched', runtime: { system_prompt: 'hi' } });
    expect(created.status).toBe(201);
    const [message] = await watcher.waitFor(1);
    watcher.close();
    expect(message.receivedAt - created.at).toBeLessThan(1000);
    expect(message.event).toBe('change');
    const data = JSON.parse(message.data);
    expect(data).toEqual({
      position: positionOf(message.id),
      registry: 'default',
      profile: 'watched',
      type: 'profile.created',
      version: expect.any(Number),
      affected: [{ registry: 'default', profile: 'watched', fingerprint: created.json.fingerprint }],
    });
  });

  it('times its deliveries to watchers in /metrics', async () => {
    const watcher = openSse(`${base}/api/watch`);
    expect(await watcher.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await send('POST', '/api/chat/profiles', { slug: 'metered' })).status).toBe(201);
    await watcher.waitFor(1);
    watcher.close();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const count = /^profile_registry_change_feed_delivery_seconds_count (\d+)$/m.exec(metrics)?.[1];
    expect(Number(count)).toBeGreaterThanOrEqual(1);
  });

  it('streams to an HTTP/1.0 client as plain bytes (no chunked encoding)', async () => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(base).port) });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.write('GET /api/watch HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n');
    try {
      await expect.poll(() => received).toContain(': watching');
      const created = await send('POST', '/api/chat/profiles', { slug: 'old-client' });
      expect(created.status).toBe(201);
      await expect.poll(() => received).toContain('"profile":"old-client"');
      expect(received).not.toMatch(/transfer-encoding/i);
      expect(received).toMatch(/\r\n\r\n: watching\n\n(: heartbeat\n\n)*id: [0-9a-f]{16}:\d+\nevent: change\ndata: \{[^\n]*"profile":"old-client"[^\n]*\}\n\n/);
    } finally {
      socket.destroy();
    }
  });

  it('resumes with Last-Event-ID and gets each missed event exactly once, in order', async () => {
    const start = await head();
    const first = openSse(`${base}/api/watch?after=${start}`);
    await first.status;
    await send('POST', '/api/chat/profiles', { slug: 'resume-1' });
    const [seen] = await first.waitFor(1);
    first.close();
    for (const slug of ['resume-2', 'resume-3']) await send('POST', '/api/chat/profiles', { slug });
    await send('PATCH', '/api/chat/profiles/resume-1', { description: 'changed' });
    const resumed = openSse(`${base}/api/watch?after=${start}`, { 'last-event-id': seen.id as string });
    await resumed.status;
    const missed = await resumed.waitFor(3);
    await send('DELETE', '/api/chat/profiles/resume-3');
    const all = await resumed.waitFor(4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    resumed.close();
    expect(resumed.messages).toHaveLength(4);
    expect(missed.map((m) => JSON.parse(m.data)).map((d) => [d.profile, d.type])).toEqual([
      ['resume-2', 'profile.created'],
      ['resume-3', 'profile.created'],
      ['resume-1', 'profile.updated'],
    ]);
    expect(JSON.parse(all[3].data).type).toBe('profile.deleted');
    const ids = all.map((m) => positionOf(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(positionOf(seen.id));
  });

  it('misses nothing and repeats nothing while writes race the connection', async () => {
    const start = await head();
    const writes = Array.from({ length: 30 }, (_, i) => send('POST', '/api/chat/profiles', { slug: `race-${i}` }));
    const watcher = openSse(`${base}/api/watch?after=${start}`);
    await Promise.all(writes);
    const expected = (await t.store.db.all<{ position: number }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [start])).map(
      (row) => Number(row.position),
    );
    await watcher.waitFor(expected.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
    watcher.close();
    expect(watcher.messages.map((m) => positionOf(m.id))).toEqual(expected);
  });

  it('filters by registry and lists stacked dependents among the affected profiles', async () => {
    const watcher = openSse(`${base}/api/watch?registry=research-lab`);
    await watcher.status;
    await send('PATCH', '/api/chat/profiles/ops-agent', { description: 'not a lab change' });
    const changed = await send('PATCH', '/api/chat/profiles/house-style', { runtime: { system_prompt: 'new house rules' } });
    const [message] = await watcher.waitFor(1);
    watcher.close();
    const data = JSON.parse(message.data);
    expect(data).toMatchObject({ registry: 'default', profile: 'house-style', type: 'profile.updated' });
    const finBase = await send('GET', '/api/chat/profiles/lab-base?registry=research-lab');
    const analyst = await send('GET', '/api/chat/profiles/lab-analyst?registry=research-lab');
    expect(data.affected).toEqual([
      { registry: 'default', profile: 'house-style', fingerprint: changed.json.fingerprint },
      { registry: 'research-lab', profile: 'lab-base', fingerprint: finBase.json.fingerprint },
      { registry: 'research-lab', profile: 'lab-analyst', fingerprint: analyst.json.fingerprint },
    ]);
  });

  it('sends heartbeat comments', async () => {
    const watcher = openSse(`${base}/api/watch`);
    await watcher.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
    watcher.close();
    expect(watcher.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
  });

  it('long-polls with Accept: application/json and ?wait=', async () => {
    const after = await head();
    const idle = await fetch(`${base}/api/watch?after=${after}`, { headers: { accept: 'application/json' } });
    expect(await idle.json()).toEqual({ changes: [], next_after: after, identity: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const waiting = fetch(`${base}/api/watch?after=${after}&wait=5`, { headers: { accept: 'application/json' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send('PATCH', '/api/chat/profiles/ops-agent', { description: 'polled' });
    const body = await (await waiting).json();
    expect(body.changes).toHaveLength(1);
    expect(body.changes[0]).toMatchObject({ registry: 'default', profile: 'ops-agent', type: 'profile.updated', affected: [] });
    expect(body.next_after).toBe(body.changes[0].position);
  });

  it('hears the commits of another instance on the same database', async () => {
    const other = await t.reopen();
    const watcher = openSse(`${base}/api/watch`);
    await watcher.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.execute(
      { type: 'create_profile', registry: 'default', slug: 'from-elsewhere', fields: {} },
      { actor: 'other', source: 'test', request_id: 'x' },
    );
    const [message] = await watcher.waitFor(1, 3000);
    watcher.close();
    expect(JSON.parse(message.data)).toMatchObject({ profile: 'from-elsewhere', type: 'profile.created' });
  });

  it('refuses a bad position with problem+json', async () => {
    const bad = await fetch(`${base}/api/watch?after=abc`, { headers: { accept: 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});
