import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { loadRegistryBundle } from '../support/registry-bundle.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

const cookie = { cookie: 'chat_profile=default/long-writer' };

describeEachBackend('runtime resolution on %s', (backend) => {
  let t: TestApp;
  const resolve = async (options: { url: string; method?: 'GET' | 'POST'; payload?: object; headers?: Record<string, string> }) => {
    const response = await t.app.inject({ method: options.method ?? 'GET', ...options });
    return { status: response.statusCode, body: response.json() };
  };

  beforeAll(async () => {
    t = await openTestApp(backend);
    await loadRegistryBundle(t.app);
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'empty' } });
  });
  afterAll(async () => t?.close());

  it('1. the path slug wins over everything else', async () => {
    const { body } = await resolve({
      method: 'POST',
      url: '/api/chat/resolve/ops-agent?profile=ticket-classifier&runtime=house-style',
      payload: { profile: 'long-writer' },
      headers: cookie,
    });
    expect(body).toMatchObject({ registry: 'default', profile: 'ops-agent', source: 'path', runtime_key: 'ops-agent', profile_version: 1 });
  });

  it('2. the body profile wins over the query and the cookie', async () => {
    const { body } = await resolve({
      method: 'POST',
      url: '/api/chat/resolve?profile=ticket-classifier&runtime=house-style',
      payload: { profile: 'ops-agent' },
      headers: cookie,
    });
    expect(body).toMatchObject({ profile: 'ops-agent', source: 'body' });
  });

  it('3. ?profile wins over ?runtime and the cookie', async () => {
    const { body } = await resolve({ url: '/api/chat/resolve?profile=ticket-classifier&runtime=house-style', headers: cookie });
    expect(body).toMatchObject({ profile: 'ticket-classifier', source: 'query' });
  });

  it('4. ?runtime wins over the cookie', async () => {
    const { body } = await resolve({ url: '/api/chat/resolve?runtime=house-style', headers: cookie });
    expect(body).toMatchObject({ profile: 'house-style', source: 'runtime' });
  });

  it('5. the cookie wins over the registry default, with its registry', async () => {
    const { body } = await resolve({ url: '/api/chat/resolve', headers: { cookie: 'theme=dark; chat_profile=research-lab/grant-writer' } });
    expect(body).toMatchObject({ registry: 'research-lab', profile: 'grant-writer', source: 'cookie' });
    const legacy = await resolve({ url: '/api/chat/resolve', headers: { cookie: 'chat_profile=ops-agent' } });
    expect(legacy.body).toMatchObject({ registry: 'default', profile: 'ops-agent', source: 'cookie' });
  });

  it('6. the registry default comes next', async () => {
    const { body } = await resolve({ url: '/api/chat/resolve?registry=research-lab' });
    expect(body).toMatchObject({ registry: 'research-lab', profile: 'lab-analyst', source: 'registry_default' });
    expect(body.stack_lineage.map((layer: { profile_slug: string }) => layer.profile_slug)).toEqual([
      'house-style',
      'lab-base',
      'lab-analyst',
    ]);
  });

  it('7. a registry named without a default profile answers only from itself: 404, never another registry', async () => {
    for (const request of [
      { url: '/api/chat/resolve?registry=empty' },
      { method: 'POST' as const, url: '/api/chat/resolve', payload: { registry: 'empty' } },
      { url: '/api/chat/resolve?registry=empty&profile=agent' },
      { url: '/api/chat/resolve/agent?registry=empty' },
    ]) {
      const { status, body } = await resolve(request);
      expect(status, request.url).toBe(404);
      expect(body.detail).toBe('profile not found');
    }
    const defaultRegistry = await resolve({ url: '/api/chat/resolve' });
    expect(defaultRegistry.status).toBe(200);
    expect(defaultRegistry.body).toMatchObject({ registry: 'default', source: 'registry_default' });
  });

  it('counts a repeated query parameter by its last value, and checks that value', async () => {
    const repeated = await resolve({ url: '/api/chat/resolve?registry=empty&registry=research-lab&profile=agent&profile=grant-writer' });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toMatchObject({ registry: 'research-lab', profile: 'grant-writer', source: 'query' });
    const badLast = await resolve({ url: '/api/chat/resolve/ops-agent?require_signed=true&require_signed=maybe' });
    expect(badLast.status).toBe(400);
    expect(badLast.body.detail).toContain('require_signed');
  });

  it('refuses overrides on a profile that does not allow them', async () => {
    const { status, body } = await resolve({
      method: 'POST',
      url: '/api/chat/resolve/ticket-classifier',
      payload: { overrides: { system_prompt: 'be chatty' } },
    });
    expect(status).toBe(400);
    expect(body.detail).toBe('profile does not allow engine overrides');
  });

  it('refuses a denied override key, and one outside a non-empty allowed list (from the stack too)', async () => {
    const denied = await resolve({ method: 'POST', url: '/api/chat/resolve/house-style', payload: { overrides: { middlewares: [] } } });
    expect(denied.status).toBe(400);
    expect(denied.body.detail).toBe('profile does not allow engine overrides');
    const notAllowed = await resolve({
      method: 'POST',
      url: '/api/chat/resolve/long-writer',
      payload: { overrides: { tools: ['web_search'] } },
    });
    expect(notAllowed.status).toBe(400);
    const stacked = await resolve({
      method: 'POST',
      url: '/api/chat/resolve/lab-analyst?registry=research-lab',
      payload: { overrides: { system_prompt: 'short answers', middlewares: [] } },
    });
    expect(stacked.status).toBe(400);
  });

  it('applies allowed overrides to the runtime and its fingerprint', async () => {
    const plain = await resolve({ url: '/api/chat/resolve/long-writer' });
    const overridden = await resolve({
      method: 'POST',
      url: '/api/chat/resolve/long-writer',
      payload: { overrides: { system_prompt: 'short answers', step_settings_patch: { 'ai-chat': { 'ai-temperature': 0 } } } },
    });
    expect(overridden.status).toBe(200);
    expect(overridden.body.runtime.system_prompt).toBe('short answers');
    expect(overridden.body.runtime.step_settings_patch['ai-chat']).toMatchObject({ 'ai-engine': 'claude-sonnet-4-20250514', 'ai-temperature': 0 });
    expect(overridden.body.fingerprint).not.toBe(plain.body.fingerprint);
  });

  it('answers 404 to a cookie naming a deleted profile', async () => {
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'short-lived' } });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/short-lived' })).statusCode).toBe(204);
    const { status, body } = await resolve({ url: '/api/chat/resolve', headers: { cookie: 'chat_profile=default/short-lived' } });
    expect(status).toBe(404);
    expect(body.detail).toBe('profile not found');
  });

  it('sets and reads the chat_profile cookie', async () => {
    const set = await t.app.inject({ method: 'POST', url: '/api/chat/profile', payload: { profile: 'grant-writer', registry: 'research-lab' } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ slug: 'grant-writer', profile: 'grant-writer', registry: 'research-lab' });
    expect(set.headers['set-cookie']).toBe('chat_profile=research-lab/grant-writer; Path=/; SameSite=Lax; Secure; HttpOnly');
    const read = await t.app.inject({ method: 'GET', url: '/api/chat/profile', headers: { cookie: 'chat_profile=research-lab/grant-writer' } });
    expect(read.json()).toEqual({ slug: 'grant-writer', profile: 'grant-writer', registry: 'research-lab' });
    const older = await t.app.inject({ method: 'POST', url: '/api/chat/profile', payload: { slug: 'ops-agent' } });
    expect(older.json()).toEqual({ slug: 'ops-agent', profile: 'ops-agent', registry: 'default' });
  });

  it('reads the registry default for a stale cookie and refuses an unknown profile', async () => {
    const stale = await t.app.inject({ method: 'GET', url: '/api/chat/profile', headers: { cookie: 'chat_profile=default/short-lived' } });
    expect(stale.json()).toEqual({ slug: 'default', profile: 'default', registry: 'default' });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/chat/profile', payload: { profile: 'nope' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });
});
