import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

describeEachBackend('pinocchio smoke lifecycle on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('creates, reads, lists, patches, conflicts, sets default, deletes', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { slug: 'Analyst ', display_name: 'Analyst', runtime: { system_prompt: 'You are an analyst' }, set_default: true },
    });
    expect(created.statusCode).toBe(201);
    const doc = created.json();
    expect(doc.slug).toBe('analyst');
    expect(doc.metadata.version).toBe(1);
    expect(doc.is_default).toBe(true);
    expect(created.headers.location).toBe('/api/chat/profiles/analyst?registry=default');
    expect(created.headers.etag).toMatch(/^"1-[0-9a-f]{16}"$/);

    const got = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/analyst' });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(doc);

    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'zeta' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'beta' } });
    const list = await t.app.inject({ method: 'GET', url: '/api/chat/profiles' });
    expect(list.json().map((p: { slug: string }) => p.slug)).toEqual(['analyst', 'beta', 'default', 'zeta']);
    expect(list.json().find((p: { slug: string }) => p.slug === 'analyst')).toMatchObject({
      registry: 'default',
      default_prompt: 'You are an analyst',
      is_default: true,
      version: 1,
    });

    const patch = { display_name: 'Analyst v2', expected_version: 1 };
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/analyst', payload: patch });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().metadata.version).toBe(2);
    expect(patched.json().display_name).toBe('Analyst v2');
    expect(patched.json().runtime.system_prompt).toBe('You are an analyst');

    const again = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/analyst', payload: patch });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 409, detail: 'profile "analyst" version conflict: expected=1 actual=2', current_version: 2 });

    const setDefault = await t.app.inject({ method: 'POST', url: '/api/chat/profiles/beta/default', payload: {} });
    expect(setDefault.statusCode).toBe(200);
    expect(setDefault.json().is_default).toBe(true);
    const analystNow = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/analyst' });
    expect(analystNow.json().is_default).toBe(false);

    const deleted = await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/analyst?expected_version=2' });
    expect(deleted.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/analyst' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().detail).toBe('profile not found');
  });

  it('serves profile_registries rows whose payload is the whole registry, byte for byte as written', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team-a', display_name: 'Team A' } });
    expect(created.statusCode).toBe(201);
    for (const slug of ['b-two', 'a.one', 'c_three']) {
      await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team-a', slug, runtime: { tools: [slug] } } });
    }
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/registries/team-a', payload: { description: 'all of team a' } });
    const read = await t.app.inject({ method: 'GET', url: '/api/registries/team-a' });
    expect(read.body).toBe(patched.body);
    const payload = read.json();
    expect(Object.keys(payload.profiles)).toEqual(['a.one', 'b-two', 'c_three']);
    expect(payload).toMatchObject({ slug: 'team-a', display_name: 'Team A', description: 'all of team a', default_profile_slug: 'b-two' });
    expect(payload.metadata.version).toBe(6);
    const row = await t.store.db.get<{ payload_json: unknown }>("SELECT payload_json FROM profile_registries WHERE slug = 'team-a'");
    const stored = typeof row?.payload_json === 'string' ? JSON.parse(row.payload_json) : row?.payload_json;
    expect(stored).toEqual(payload);
  });

  it('continues the versions of a deleted slug when it is created again', async () => {
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'phoenix' } });
    await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/phoenix', payload: { description: 'v2' } });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/phoenix' })).statusCode).toBe(204);
    const reborn = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'phoenix' } });
    expect(reborn.statusCode).toBe(201);
    expect(reborn.json().metadata.version).toBe(4);
  });

  it('keeps the version and appends nothing for a write that changes nothing', async () => {
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'steady', description: 'same' } });
    const before = await t.store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    const same = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/steady', payload: { description: 'same' } });
    expect(same.statusCode).toBe(200);
    expect(same.json().metadata.version).toBe(1);
    const after = await t.store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('answers 304 to If-None-Match with the current ETag and 412 to a stale If-Match', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'cached' } });
    const etag = created.headers.etag as string;
    const notModified = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/cached', headers: { 'if-none-match': etag } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    const changed = await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/cached',
      headers: { 'if-match': etag },
      payload: { description: 'first' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/cached',
      headers: { 'if-match': etag },
      payload: { description: 'second' },
    });
    expect(stale.statusCode).toBe(412);
    const now = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/cached' });
    expect(now.json().description).toBe('first');
    const fresh = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/cached', headers: { 'if-none-match': etag } });
    expect(fresh.statusCode).toBe(200);
  });
});
