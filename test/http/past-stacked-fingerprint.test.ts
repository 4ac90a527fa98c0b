import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

describeEachBackend('a stacked profile read at a past point on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
  });
  afterAll(async () => t?.close());

  it('carries the fingerprint it had then, its base in another registry included', async () => {
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
    await post('/api/registries', { slug: 'shared' });
    await post('/api/registries', { slug: 'team' });
    await post('/api/chat/profiles', { registry: 'shared', slug: 'base', runtime: { system_prompt: 'v1', tools: ['search'] } });
    const leaf = await post('/api/chat/profiles', {
      registry: 'team',
      slug: 'leaf',
      runtime: { tools: ['calculator'] },
      stack: [{ registry_slug: 'shared', profile_slug: 'base' }],
    });
    expect(leaf.statusCode).toBe(201);
    const then = leaf.json();
    const thenMs = then.metadata.updated_at_ms;

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/base?registry=shared',
      payload: { runtime: { system_prompt: 'v2', tools: ['search'] } },
    });
    expect(patched.statusCode).toBe(200);
    const now = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles/leaf?registry=team' })).json();
    expect(now.fingerprint).not.toBe(then.fingerprint);
    expect(now.metadata.version).toBe(1);

    const atTime = await t.app.inject({ method: 'GET', url: `/api/chat/profiles/leaf?registry=team&as_of=${thenMs}` });
    expect(atTime.body).toBe(leaf.body);
    const atVersion = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/leaf?registry=team&version=1' });
    expect(atVersion.json().fingerprint).toBe(then.fingerprint);
  });
});
