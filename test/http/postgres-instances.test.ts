import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore, type RegistryStore } from '../../src/use-cases/registry-store.js';
import { createTestSchema, PG_URL, postgresAvailable } from '../support/postgres.js';
import { buildTestApp } from '../support/test-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two instances (each its own store, pool, caches and LISTEN connection) on one PostgreSQL schema. */
describe.runIf(postgresAvailable)('two instances on one PostgreSQL', () => {
  const applicationName = `preg-test-${process.pid}-${Date.now().toString(36)}`;
  let drop: () => Promise<void>;
  let a: RegistryStore;
  let b: RegistryStore;
  let appA: FastifyInstance;
  let appB: FastifyInstance;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    const open = (name: string) =>
      createRegistryStore(openDatabase({ dsn: PG_URL, schema: schema.schema, postgres: { applicationName: `${applicationName}-${name}` } }));
    [a, b] = await Promise.all([open('a'), open('b')]);
    appA = await buildTestApp({ store: a });
    // B's safety poll is far away: only a notification can wake its feed in time
    appB = await buildTestApp({ store: b, watchPollMs: 600_000 });
    await appA.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'shared' } });
    const created = await appA.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'shared', slug: 'p' } });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  /** A long poll on B from the head, and the time a write on A took to reach it. */
  const wakeB = async (description: string) => {
    const after = await b.db.events.lastPosition();
    const poll = appB.inject({ method: 'GET', url: `/api/watch?after=${after}&wait=30`, headers: { accept: 'application/json' } });
    await sleep(200); // the poll is waiting
    const sentAt = Date.now();
    const write = await appA.inject({ method: 'PATCH', url: '/api/chat/profiles/p?registry=shared', payload: { description } });
    expect(write.statusCode).toBe(200);
    const answer = await poll;
    return { answer: answer.json(), ms: Date.now() - sentAt };
  };

  it("wakes B's change feed as soon as A commits, not at its next poll", async () => {
    const { answer, ms } = await wakeB('woken');
    expect(answer.changes).toEqual([expect.objectContaining({ registry: 'shared', profile: 'p', type: 'profile.updated' })]);
    expect(ms).toBeLessThan(2000);
  });

  it('listens again after its LISTEN connection is cut', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const cut = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      `${applicationName}-b listener`,
    ]);
    expect(cut.rowCount).toBe(1);
    // the listener reconnects within its first back-off (250 ms)
    for (let i = 0; i < 50; i++) {
      const back = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [`${applicationName}-b listener`]);
      if (back.rowCount === 1) break;
      await sleep(100);
    }
    await admin.end();
    const { answer, ms } = await wakeB('after the cut');
    expect(answer.changes).toHaveLength(1);
    expect(ms).toBeLessThan(2000);
  });

  it('a read on B after a 2xx from A sees the write, 1,000 times in a row (documents and lists)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const [writer, reader] = i % 2 === 0 ? [appA, appB] : [appB, appA];
      const written = await writer.inject({ method: 'PATCH', url: '/api/chat/profiles/p?registry=shared', payload: { description: `d${i}` } });
      expect(written.statusCode).toBe(200);
      const version = written.json().metadata.version;
      const read = await reader.inject({ method: 'GET', url: '/api/chat/profiles/p?registry=shared' });
      if (read.json().metadata.version !== version) seen.push(`${i}: document ${read.json().metadata.version} < ${version}`);
      if (i % 10 === 0) {
        const list = await reader.inject({ method: 'GET', url: '/api/chat/profiles?registry=shared' });
        if (list.json()[0].version !== version) seen.push(`${i}: list ${list.json()[0].version} < ${version}`);
      }
    }
    expect(seen).toEqual([]);
  }, 300_000);

  it('loses no update: 200 contended read-modify-write increments (If-Match), split across both, end at exactly 200', async () => {
    const url = '/api/chat/profiles/counter?registry=shared';
    const counterOf = (body: { extensions: Record<string, { n: number }> }) => body.extensions['test.counter@v1'].n;
    const created = await appA.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: 'shared', slug: 'counter', extensions: { 'test.counter@v1': { n: 0 } } },
    });
    expect(created.statusCode).toBe(201);
    const total = 200;
    let started = 0;
    let refused = 0;
    const worker = async (app: FastifyInstance) => {
      while (started < total) {
        started += 1;
        for (;;) {
          const read = await app.inject({ method: 'GET', url });
          const write = await app.inject({
            method: 'PATCH',
            url,
            headers: { 'if-match': String(read.headers.etag) },
            payload: { extensions: { 'test.counter@v1': { n: counterOf(read.json()) + 1 } } },
          });
          if (write.statusCode === 200) break;
          expect(write.statusCode).toBe(412);
          refused += 1;
        }
      }
    };
    await Promise.all([appA, appB, appA, appB].map(worker));
    for (const app of [appA, appB]) expect(counterOf((await app.inject({ method: 'GET', url })).json())).toBe(total);
    // the four really raced: some writes were refused for a stale If-Match and retried
    expect(refused).toBeGreaterThan(0);
  }, 300_000);

  it('serves repeated reads from memory: no query but the head check reaches PostgreSQL', async () => {
    const url = '/api/chat/profiles/p?registry=shared';
    await appB.inject({ method: 'GET', url });
    const before = await statementsOf(`${applicationName}-b`);
    for (let i = 0; i < 20; i++) expect((await appB.inject({ method: 'GET', url })).statusCode).toBe(200);
    const after = await statementsOf(`${applicationName}-b`);
    expect(after.filter((query) => !before.includes(query) && !query.includes('max(position)'))).toEqual([]);
  });
});

/** The last statement of each connection of an application (pg_stat_activity keeps only that). */
const statementsOf = async (applicationName: string): Promise<string[]> => {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const rows = await admin.query('SELECT pid, query FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  await admin.end();
  return rows.rows.map((row: { pid: number; query: string }) => `${row.pid} ${row.query}`);
};
