import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

const START = 1_771_880_000_000;

describeEachBackend('server-owned metadata on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(START, 1000) });
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('stamps who, when, where and which request on the profile and its events', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      headers: { 'x-actor': 'alice', 'x-request-id': 'req-create-1' },
      payload: { slug: 'stamped', metadata: { version: 42, created_by: 'mallory', source: 'forged', tags: ['team-a'] } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-request-id']).toBe('req-create-1');
    const createdAt = created.json().metadata.created_at_ms;
    expect(created.json().metadata).toEqual({
      source: 'http-api',
      version: 1,
      created_at_ms: createdAt,
      updated_at_ms: createdAt,
      created_by: 'alice',
      updated_by: 'alice',
      tags: ['team-a'],
    });

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/stamped',
      headers: { 'x-actor': 'bob', 'x-request-id': 'req-patch-1' },
      payload: { description: 'changed' },
    });
    expect(patched.json().metadata).toMatchObject({ version: 2, created_by: 'alice', updated_by: 'bob', created_at_ms: createdAt });
    expect(patched.json().metadata.updated_at_ms).toBeGreaterThan(createdAt);

    const same = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/stamped', headers: { 'x-actor': 'carol' }, payload: { description: 'changed' } });
    expect(same.json().metadata).toEqual(patched.json().metadata);

    const anonymous = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/stamped', payload: { description: 'by nobody' } });
    expect(anonymous.json().metadata.updated_by).toBe('anonymous');

    const events = (await t.store.db.events.readStream('default')).filter((event) => 'profile' in event.data && event.data.profile === 'stamped');
    expect(events.map((event) => [event.type, event.metadata.actor, event.metadata.source, event.metadata.request_id])).toEqual([
      ['profile.created', 'alice', 'http-api', 'req-create-1'],
      ['profile.updated', 'bob', 'http-api', 'req-patch-1'],
      ['profile.updated', 'anonymous', 'http-api', anonymous.headers['x-request-id']],
    ]);
    expect(events[0].metadata.occurred_at_ms).toBe(createdAt);
    expect((createdAt - START) % 1000).toBe(0);
  });
});
