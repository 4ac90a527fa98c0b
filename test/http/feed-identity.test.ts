import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/run-cli.js';
import { openSse } from '../support/sse-client.js';
import { buildTestApp, openTestStore, type TestStore } from '../support/test-store.js';

const poll = async (base: string, query: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}/api/watch?${query}`, { headers: { accept: 'application/json', ...headers } });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
};

describeEachBackend('feed positions and the store identity on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let base: string;
  const serve = async () => {
    await app?.close();
    app = await buildTestApp({ store: await t.reopen(), watchHeartbeatMs: 50, watchPollMs: 100 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  };
  const create = async (slug: string) => {
    const response = await fetch(`${base}/api/chat/profiles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ registry: 'default', slug }),
    });
    expect(response.status).toBe(201);
  };

  beforeAll(async () => {
    t = await openTestStore(backend);
    await serve();
    const registry = await fetch(`${base}/api/registries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'default' }),
    });
    expect(registry.status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('tells a watcher whose position belongs to the store before a rebuild, or lies beyond the head, to start over', async () => {
    await create('one');
    const first = await poll(base, 'after=0');
    expect(first.status).toBe(200);
    const { identity: before, next_after: seen } = first.body as { identity: string; next_after: number };
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    // the SSE ids carry it too
    const watcher = openSse(`${base}/api/watch`, { 'last-event-id': `${before}:0` });
    const [change] = await watcher.waitFor(1);
    watcher.close();
    expect(change.id).toBe(`${before}:1`);
    expect(change.event).toBe('change');

    const rebuilt = await runCli(['rebuild', ...t.cliDatabaseArgs]);
    expect(rebuilt.stdout).toMatch(/new store identity [0-9a-f]{16}/);
    await serve();
    const now = await poll(base, `after=${seen}`);
    const after = now.body.identity as string;
    expect(after).not.toBe(before);
    const head = now.body.next_after as number;

    // long poll: 410 problem+json with the identity and the head to follow from, for both forms
    for (const query of [`after=${before}:${seen}`, `after=${head + 5}`]) {
      const gone = await poll(base, query);
      expect(gone.status, query).toBe(410);
      expect(gone.type).toMatch(/^application\/problem\+json/);
      expect(gone.body).toMatchObject({ status: 410, type: expect.stringContaining('feed-reset'), identity: after, head });
    }
    // the same identity, or a bare position within the log, is followed as before
    expect((await poll(base, `after=${after}:${head}`)).status).toBe(200);
    expect((await poll(base, `after=${head}`)).status).toBe(200);

    // SSE: a reset event with the new head, then the changes after it
    const resumed = openSse(`${base}/api/watch`, { 'last-event-id': `${before}:${seen}` });
    expect(await resumed.status).toBe(200);
    const [reset] = await resumed.waitFor(1);
    expect(reset.event).toBe('reset');
    expect(reset.id).toBe(`${after}:${head}`);
    expect(JSON.parse(reset.data)).toMatchObject({ identity: after, head });
    await create('two');
    const [, next] = await resumed.waitFor(2);
    resumed.close();
    expect(next.event).toBe('change');
    expect(next.id).toBe(`${after}:${head + 1}`);

    const beyond = openSse(`${base}/api/watch`, { 'last-event-id': String(head + 100) });
    const [told] = await beyond.waitFor(1);
    beyond.close();
    expect(told.event).toBe('reset');

    // a malformed position is refused, as before
    const bad = await poll(base, 'after=abc:1');
    expect(bad.status).toBe(400);
  });
});
