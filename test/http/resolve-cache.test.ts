import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { openTestApp, type Backend, type TestApp } from '../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

/** Resolve without overrides is served from memory: it must move with every write it depends on. */
describe.each(backends)('resolve served from memory on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'base' } });
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'base', slug: 'root', runtime: { system_prompt: 'v1' }, policy: { allow_overrides: true } } });
    await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: 'team', slug: 'child', stack: [{ registry_slug: 'base', profile_slug: 'root' }], runtime: { tools: ['search'] } },
    });
  });
  afterAll(async () => t?.close());

  const resolve = async (url: string, method: 'GET' | 'POST' = 'GET', payload?: object) => {
    const response = await t.app.inject({ method, url, payload });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    return response.json();
  };

  it('answers again the same bytes, and a write to a profile it stacks on changes them', async () => {
    const first = await resolve('/api/chat/resolve/child?registry=team');
    expect(first).toMatchObject({ registry: 'team', profile: 'child', source: 'path', runtime: { system_prompt: 'v1', tools: ['search'] } });
    expect(await resolve('/api/chat/resolve/child?registry=team')).toEqual(first);
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/root?registry=base', payload: { runtime: { system_prompt: 'v2' } } });
    expect(patched.statusCode).toBe(200);
    const second = await resolve('/api/chat/resolve/child?registry=team');
    expect(second.runtime.system_prompt).toBe('v2');
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.stack_lineage).toContainEqual({ registry_slug: 'base', profile_slug: 'root', version: 2, source: 'http-api' });
  });

  it('follows a change of the registry default, and overrides are applied on top of the cached answer', async () => {
    expect(await resolve('/api/chat/resolve?registry=base')).toMatchObject({ profile: 'root', source: 'registry_default' });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'base', slug: 'other', set_default: true } });
    expect(await resolve('/api/chat/resolve?registry=base')).toMatchObject({ profile: 'other', source: 'registry_default' });
    const plain = await resolve('/api/chat/resolve/root?registry=base', 'POST', {});
    const overridden = await resolve('/api/chat/resolve/root?registry=base', 'POST', { overrides: { system_prompt: 'mine' } });
    expect(overridden.runtime.system_prompt).toBe('mine');
    expect(overridden.fingerprint).not.toBe(plain.fingerprint);
    expect((await resolve('/api/chat/resolve/root?registry=base')).runtime.system_prompt).toBe('v2');
  });
});
