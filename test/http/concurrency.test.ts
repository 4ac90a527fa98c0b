import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventProfile, type StoredEvent } from '../../src/events/event-types.js';
import type { SqlExecutor } from '../../src/events/sql-database.js';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp, buildTestApp } from '../support/test-store.js';

const versionOf = (event: StoredEvent): number | undefined =>
  'version' in event.data && typeof event.data.version === 'number' ? event.data.version : undefined;

/** The versions a profile's events carry, oldest first. */
const profileVersions = async (db: SqlExecutor, slug: string, registry = 'default') =>
  (await db.events.readStream(registry)).filter((event) => eventProfile(event) === slug).map(versionOf);

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const expectStreamWithoutGap = async (db: SqlExecutor, registry = 'default') => {
  const events = await db.events.readStream(registry);
  expect(events.map((event) => event.stream_version)).toEqual(oneTo(events.length));
  for (let i = 1; i < events.length; i++) expect(events[i].prev_hash).toBe(events[i - 1].hash);
};

describeEachBackend('concurrent writes on %s', (backend) => {
  let t: TestApp;
  const create = async (app: FastifyInstance, slug: string) =>
    expect((await app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug } })).statusCode).toBe(201);

  beforeAll(async () => {
    t = await openTestApp(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('lets exactly one of 20 PATCHes with the same expected_version win', async () => {
    await create(t.app, 'contested');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/contested', payload: { description: `writer ${i}`, expected_version: 1 } }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    for (const response of responses.filter((r) => r.statusCode === 409)) {
      expect(response.json().detail).toBe('profile "contested" version conflict: expected=1 actual=2');
    }
    const winner = responses.find((response) => response.statusCode === 200)?.json();
    const now = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/contested' });
    expect(now.json()).toEqual(winner);
    expect(winner.metadata.version).toBe(2);
    expect(await profileVersions(t.store.db, 'contested')).toEqual([1, 2]);
    await expectStreamWithoutGap(t.store.db);
  });

  it('lets exactly one of 20 creates of one slug win', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'race', description: `${i}` } })),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const winner = responses.find((response) => response.statusCode === 201)?.json();
    expect((await t.app.inject({ method: 'GET', url: '/api/chat/profiles/race' })).json()).toEqual(winner);
    expect(await profileVersions(t.store.db, 'race')).toEqual([1]);
  });

  it('gives each write of a group commit its own outcome', async () => {
    const slugs = Array.from({ length: 10 }, (_, i) => `member-${i}`);
    for (const slug of [...slugs, 'doomed-a', 'doomed-b']) await create(t.app, slug);
    const stale = new Set(slugs.slice(0, 5));
    for (const slug of stale) {
      const moved = await t.app.inject({ method: 'PATCH', url: `/api/chat/profiles/${slug}`, payload: { description: 'moved on' } });
      expect(moved.statusCode).toBe(200);
    }
    const requests = [
      ...slugs.map((slug) => ({ method: 'PATCH' as const, url: `/api/chat/profiles/${slug}`, payload: { description: 'batch', expected_version: 1 } })),
      ...['fresh-a', 'fresh-b', 'member-0'].map((slug) => ({ method: 'POST' as const, url: '/api/chat/profiles', payload: { slug } })),
      { method: 'DELETE' as const, url: '/api/chat/profiles/doomed-a?expected_version=1' },
      { method: 'DELETE' as const, url: '/api/chat/profiles/doomed-b?expected_version=7' },
    ];
    const responses = await Promise.all(requests.map((request) => t.app.inject(request)));
    const outcome = Object.fromEntries(
      responses.map((response, i) => [`${requests[i].method} ${requests[i].url} ${i}`, response.statusCode]),
    );
    expect(outcome).toEqual({
      ...Object.fromEntries(slugs.map((slug, i) => [`PATCH /api/chat/profiles/${slug} ${i}`, stale.has(slug) ? 409 : 200])),
      'POST /api/chat/profiles 10': 201,
      'POST /api/chat/profiles 11': 201,
      'POST /api/chat/profiles 12': 409,
      'DELETE /api/chat/profiles/doomed-a?expected_version=1 13': 204,
      'DELETE /api/chat/profiles/doomed-b?expected_version=7 14': 409,
    });
    for (const slug of [...slugs, 'doomed-a']) expect(await profileVersions(t.store.db, slug), slug).toEqual([1, 2]);
    expect(await profileVersions(t.store.db, 'doomed-b')).toEqual([1]);
    expect(await profileVersions(t.store.db, 'fresh-a')).toEqual([1]);
    const reads = await Promise.all(slugs.map((slug) => t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}` })));
    for (const [i, read] of reads.entries()) {
      expect(read.json().description).toBe(stale.has(slugs[i]) ? 'moved on' : 'batch');
    }
    await expectStreamWithoutGap(t.store.db);
  });

  it('commits commands queued in one tick together, each with its own outcome', async () => {
    const commits: StoredEvent[][] = [];
    const stop = t.store.bus.onCommit((events) => commits.push(events));
    const context = (i: number) => ({ actor: 'tester', source: 'test', request_id: `tick-${i}` });
    const settled = await Promise.allSettled([
      t.store.execute({ type: 'create_profile', registry: 'default', slug: 'tick-a', fields: {} }, context(0)),
      t.store.execute({ type: 'create_profile', registry: 'default', slug: 'tick-a', fields: {} }, context(1)),
      t.store.execute({ type: 'update_profile', registry: 'default', slug: 'tick-a', fields: { description: 'x' }, expected_version: 1 }, context(2)),
      t.store.execute({ type: 'update_profile', registry: 'default', slug: 'tick-a', fields: { description: 'y' }, expected_version: 1 }, context(3)),
      t.store.execute({ type: 'create_profile', registry: 'missing', slug: 'tick-b', fields: {} }, context(4)),
      t.store.execute({ type: 'create_profile', registry: 'default', slug: 'tick-c', fields: { description: 'c' } }, context(5)),
    ]);
    stop();
    expect(settled.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as Error).message))).toEqual([
      'ok',
      'profile "tick-a" already exists',
      'ok',
      'profile "tick-a" version conflict: expected=1 actual=2',
      'registry not found',
      'ok',
    ]);
    expect(commits).toHaveLength(1);
    expect(commits[0].map((event) => [event.metadata.request_id, event.type])).toEqual([
      ['tick-0', 'profile.created'],
      ['tick-2', 'profile.updated'],
      ['tick-5', 'profile.created'],
    ]);
    const fulfilled = settled[2] as PromiseFulfilledResult<Awaited<ReturnType<typeof t.store.execute>>>;
    expect(JSON.parse(fulfilled.value.rendered.document?.json ?? '{}')).toMatchObject({ description: 'x', metadata: { version: 2 } });
    await expectStreamWithoutGap(t.store.db);
  });

  it('lets exactly one win when two stores on one database race', async () => {
    await create(t.app, 'shared');
    const second = await buildTestApp({ store: await t.reopen() });
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? t.app : second).inject({
            method: 'PATCH',
            url: '/api/chat/profiles/shared',
            payload: { description: `writer ${i}`, expected_version: 1 },
          }),
        ),
      );
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(409)]);
      expect(await profileVersions(t.store.db, 'shared')).toEqual([1, 2]);
      await expectStreamWithoutGap(t.store.db);
      const snapshot = await storeSnapshot(t.store.db);
      const viaSecond = await second.inject({ method: 'PATCH', url: '/api/chat/profiles/shared', payload: { description: 'next', expected_version: 2 } });
      expect(viaSecond.statusCode).toBe(200);
      const viaFirst = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/shared', payload: { description: 'after', expected_version: 3 } });
      expect(viaFirst.statusCode, viaFirst.body).toBe(200);
      expect(viaFirst.json().metadata.version).toBe(4);
      expect((await storeSnapshot(t.store.db)).events.length).toBe(snapshot.events.length + 2);
    } finally {
      await second.close();
    }
  });
});
