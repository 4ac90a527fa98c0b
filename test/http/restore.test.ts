import fastJsonPatch from 'fast-json-patch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { contentOf } from '../support/profile-content.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

describeEachBackend('restore on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
  });
  afterAll(async () => t?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json, actor = 'tester') =>
    t.app.inject({ method, url, payload, headers: { 'x-actor': actor } });

  it('restores a profile at version 5 to version 2 as version 6, keeping history 1 to 5; a dry run writes nothing', async () => {
    await call('POST', '/api/registries', { slug: 'r1' });
    await call('POST', '/api/chat/profiles', { registry: 'r1', slug: 'writer', runtime: { system_prompt: 'v1' } });
    const url = '/api/chat/profiles/writer?registry=r1';
    for (const prompt of ['v2', 'v3', 'v4', 'v5']) {
      expect((await call('PATCH', url, { runtime: { system_prompt: prompt, tools: [prompt] } })).statusCode).toBe(200);
    }
    const version2 = (await call('GET', `${url}&version=2`)).json();
    const current = (await call('GET', url)).json();

    const before = await storeSnapshot(t.store.db);
    const dry = await call('POST', '/api/chat/profiles/writer/restore', { registry: 'r1', to_version: 2, dry_run: true });
    expect(dry.statusCode).toBe(200);
    expect(fastJsonPatch.applyPatch(contentOf(current), dry.json().changes, true, false).newDocument).toEqual(contentOf(version2));
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const restored = await call('POST', '/api/chat/profiles/writer/restore', { registry: 'r1', to_version: 2 }, 'auditor');
    expect(restored.statusCode).toBe(200);
    const document = restored.json();
    expect(document.metadata).toMatchObject({ version: 6, updated_by: 'auditor', source: 'http-api' });
    expect(contentOf(document)).toEqual(contentOf(version2));
    expect((await call('GET', url)).json()).toEqual(document);
    const history = (await call('GET', '/api/chat/profiles/writer/history?registry=r1')).json();
    expect(history.versions.map((v: Json) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(history.versions[0]).toMatchObject({ actor: 'auditor', type: 'profile.updated' });
    expect((await call('GET', `${url}&version=5`)).json().runtime.system_prompt).toBe('v5');
  });

  it('brings a deleted profile back, and refuses what a write would refuse without writing', async () => {
    await call('POST', '/api/chat/profiles', { registry: 'r1', slug: 'ghost', description: 'boo' });
    await call('DELETE', '/api/chat/profiles/ghost?registry=r1');
    expect((await call('GET', '/api/chat/profiles/ghost?registry=r1')).statusCode).toBe(404);
    const back = await call('POST', '/api/chat/profiles/ghost/restore', { registry: 'r1', to_version: 1 });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ slug: 'ghost', description: 'boo', metadata: { version: 3 } });

    await call('POST', '/api/chat/profiles', { registry: 'r1', slug: 'locked', description: 'a' });
    await call('PATCH', '/api/chat/profiles/locked?registry=r1', { policy: { read_only: true } });
    const before = await storeSnapshot(t.store.db);
    const refusals: [Json, number][] = [
      [{ registry: 'r1', to_version: 1 }, 403],
      [{ registry: 'r1', to_version: 1, dry_run: true }, 403],
    ];
    for (const [body, status] of refusals) {
      const refused = await call('POST', '/api/chat/profiles/locked/restore', body);
      expect(refused.statusCode).toBe(status);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
    const bad: [string, Json, number][] = [
      ['writer', { registry: 'r1', to_version: 2, expected_version: 3 }, 409],
      ['writer', { registry: 'r1', to_version: 0 }, 400],
      ['writer', { registry: 'r1', to_version: 99 }, 404],
      ['ghost', { registry: 'r1', to_version: 2 }, 400],
      ['writer', { registry: 'r1' }, 400],
      ['nobody', { registry: 'r1', to_version: 1 }, 404],
    ];
    for (const [slug, body, status] of bad) {
      const refused = await call('POST', `/api/chat/profiles/${slug}/restore`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(status);
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('restores a whole registry atomically: deleted profiles come back, later ones go', async () => {
    await call('POST', '/api/registries', { slug: 'team' });
    for (const slug of ['alpha', 'beta']) await call('POST', '/api/chat/profiles', { registry: 'team', slug, description: slug });
    const then = (await call('GET', '/api/registries/team')).json();
    await call('POST', '/api/chat/profiles/beta/default', { registry: 'team' });
    await call('DELETE', '/api/chat/profiles/alpha?registry=team');
    await call('POST', '/api/chat/profiles', { registry: 'team', slug: 'gamma' });
    await call('PATCH', '/api/chat/profiles/beta?registry=team', { description: 'changed' });
    const now = (await call('GET', '/api/registries/team')).json();

    const before = await storeSnapshot(t.store.db);
    const stale = await call('POST', '/api/registries/team/restore', { to_version: then.metadata.version, expected_version: 2 });
    expect(stale.statusCode).toBe(409);
    const dry = await call('POST', '/api/registries/team/restore', { as_of: then.metadata.updated_at_ms, dry_run: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().version).toBe(now.metadata.version);
    expect(dry.json().changes.length).toBeGreaterThan(0);
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    expect((await call('POST', '/api/registries/team/restore', { to_version: 1, as_of: 1 })).statusCode).toBe(400);
    expect((await call('POST', '/api/registries/team/restore', { as_of: 5 })).statusCode).toBe(404);

    const restored = await call(
      'POST',
      '/api/registries/team/restore',
      { to_version: then.metadata.version, expected_version: now.metadata.version },
      'ops',
    );
    expect(restored.statusCode).toBe(200);
    expect(restored.json().changes).toEqual(dry.json().changes);
    const after = (await call('GET', '/api/registries/team')).json();
    expect(after.metadata.version).toBe(restored.json().version);
    expect(Object.keys(after.profiles).sort()).toEqual(['alpha', 'beta']);
    expect(after.default_profile_slug).toBe(then.default_profile_slug);
    for (const slug of ['alpha', 'beta']) {
      const { metadata: _a, ...was } = then.profiles[slug];
      const { metadata: _b, ...is } = after.profiles[slug];
      expect(is).toEqual(was);
    }
    expect((await call('GET', '/api/chat/profiles/gamma?registry=team')).statusCode).toBe(404);

    const events = (await call('GET', `/api/registries/team/events?after=${0}&limit=1000`)).json().events as Json[];
    const restoreEvents = events.filter((event) => (event.version as number) > now.metadata.version);
    expect(restoreEvents.length).toBeGreaterThanOrEqual(3);
    expect(new Set(restoreEvents.map((event) => `${event.actor}/${event.at_ms}`)).size).toBe(1);
    expect(restoreEvents[0].actor).toBe('ops');
  });
});
