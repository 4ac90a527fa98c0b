import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * The HTTP cases of pinocchio's web-chat profile tests (cmd/web-chat/profile_policy_test.go:
 * CRUD lifecycle, error mappings, get / set current profile, lists across registries, the chat
 * resolver's override policy, precedence and legacy selectors), replayed with this suite's own
 * data against this service. Where it answers differently on purpose, the case asserts this
 * service's answer and docs/COMPATIBILITY.md says why.
 */
describeEachBackend('pinocchio’s profile API cases, replayed on %s', (backend) => {
  let t: TestApp;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) => {
    const response = await t.app.inject({ method, url, payload, headers });
    return {
      status: response.statusCode,
      json: response.body === '' ? undefined : response.json(),
      body: response.body,
      cookie: response.headers['set-cookie'],
    };
  };
  beforeAll(async () => {
    t = await openTestApp(backend);
    for (const slug of ['default', 'team']) expect((await call('POST', '/api/registries', { slug })).status).toBe(201);
    const schema = await t.app.inject({
      method: 'PUT',
      url: '/api/chat/schemas/middlewares/agentmode',
      payload: {
        version: 1,
        schema: { type: 'object', properties: { default_mode: { type: 'string' }, sanitize_yaml: { type: 'boolean' } }, additionalProperties: false },
      },
    });
    expect(schema.statusCode).toBe(201);
    await call('POST', '/api/chat/profiles', { slug: 'default', runtime: { system_prompt: 'You are default' } });
    await call('POST', '/api/chat/profiles', { slug: 'readonly', runtime: { system_prompt: 'You are readonly' }, policy: { read_only: true } });
    await call('POST', '/api/chat/profiles', { slug: 'agent', runtime: { system_prompt: 'You are agent' }, policy: { allow_overrides: true } });
    await call('POST', '/api/chat/profiles', { registry: 'team', slug: 'analyst', runtime: { system_prompt: 'You are team analyst' } });
  });
  afterAll(async () => t?.close());

  it('CRUD lifecycle: create (set default), get, list, patch, set default, delete with expected_version, then 404', async () => {
    const created = await call('POST', '/api/chat/profiles', {
      slug: 'writer',
      display_name: 'Writer',
      description: 'Team writer profile',
      runtime: { system_prompt: 'You are writer', middlewares: [{ name: 'agentmode', id: 'primary', config: { default_mode: 'chat' } }] },
      policy: { allow_overrides: true },
      extensions: { 'Vendor.Custom@V1': { flags: [{ enabled: true }] } },
      set_default: true,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ registry: 'default', slug: 'writer', is_default: true, metadata: { version: 1 } });
    expect(created.json.extensions['vendor.custom@v1'].flags[0].enabled).toBe(true);
    // difference: the middleware config extension is on the resolve answer, not on the stored document
    const resolved = await call('GET', '/api/chat/resolve/writer');
    expect(resolved.json.extensions['middleware.agentmode_config@v1'].instances['id:primary'].default_mode).toBe('chat');

    const got = await call('GET', '/api/chat/profiles/writer');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ display_name: 'Writer', runtime: { system_prompt: 'You are writer' } });
    const listed = await call('GET', '/api/chat/profiles?registry=default');
    expect(listed.json.map((item: { slug: string }) => item.slug)).toContain('writer');

    const patched = await call('PATCH', '/api/chat/profiles/writer', { display_name: 'Writer V2', runtime: { system_prompt: 'You are writer v2' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ display_name: 'Writer V2', runtime: { system_prompt: 'You are writer v2' }, metadata: { version: 2 } });

    const setDefault = await call('POST', '/api/chat/profiles/default/default', {});
    expect(setDefault.status).toBe(200);
    expect(setDefault.json.slug).toBe('default');

    expect((await call('DELETE', '/api/chat/profiles/writer?expected_version=2')).status).toBe(204);
    expect((await call('GET', '/api/chat/profiles/writer')).status).toBe(404);
  });

  it('error mappings: bad slug 400, read-only 403, stale version 409, bad extension key 400, bad middleware config 400, missing registry 404, bad expected_version 400', async () => {
    expect((await call('POST', '/api/chat/profiles', { slug: 'bad slug!' })).status).toBe(400);
    expect((await call('PATCH', '/api/chat/profiles/readonly', { display_name: 'nope' })).status).toBe(403);
    expect((await call('PATCH', '/api/chat/profiles/default', { display_name: 'Default v2', expected_version: 999 })).status).toBe(409);
    expect((await call('POST', '/api/chat/profiles', { slug: 'badext', extensions: { 'bad key': { value: true } } })).status).toBe(400);
    const badConfig = await call('POST', '/api/chat/profiles', { slug: 'badmwconfig', runtime: { middlewares: [{ name: 'agentmode', config: { unknown: 'x' } }] } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body).toContain('runtime.middlewares[0].config');
    expect((await call('GET', '/api/chat/profiles?registry=missing')).status).toBe(404);
    expect((await call('DELETE', '/api/chat/profiles/default?expected_version=abc')).status).toBe(400);
  });

  it('unknown middleware: 400 naming it, the catalog having entries', async () => {
    const unknown = await call('POST', '/api/chat/profiles', { registry: 'team', slug: 'badmw', runtime: { middlewares: [{ name: 'unknown_middleware' }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('unknown_middleware');
  });

  it('get and set the current profile through the chat_profile cookie', async () => {
    const set = await call('POST', '/api/chat/profile', { profile: 'agent', registry: 'default' });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ profile: 'agent', registry: 'default' });
    const cookie = String(set.cookie).split(';')[0];
    const got = await call('GET', '/api/chat/profile', undefined, { cookie });
    expect(got.json).toMatchObject({ profile: 'agent', registry: 'default' });
  });

  it('lists and gets across registries when no registry is named, duplicates kept with their registry', async () => {
    await call('POST', '/api/chat/profiles', { slug: 'analyst', runtime: { system_prompt: 'You are default analyst' } });
    const listed = (await call('GET', '/api/chat/profiles')).json as { registry: string; slug: string }[];
    expect(listed.filter((item) => item.slug === 'analyst').map((item) => item.registry).sort()).toEqual(['default', 'team']);
    expect((await call('GET', '/api/chat/profiles/analyst')).json.registry).toBe('default');
    expect((await call('GET', '/api/chat/profiles/analyst?registry=team')).json.runtime.system_prompt).toBe('You are team analyst');
  });

  it('the chat resolver: override policy, body profile across registries, bad and unknown registries, legacy selectors', async () => {
    const refused = await call('POST', '/api/chat/resolve/default', { prompt: 'hi', conv_id: 'conv-1', request_overrides: { system_prompt: 'override' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('request overrides are disabled for this profile');
    const allowed = await call('POST', '/api/chat/resolve/agent', { prompt: 'hi', conv_id: 'conv-2', request_overrides: { system_prompt: 'override' } });
    expect(allowed.json).toMatchObject({ runtime_key: 'agent', runtime: { system_prompt: 'override' } });

    const across = await call('POST', '/api/chat/resolve', { prompt: 'hi', conv_id: 'conv-1', profile: 'analyst', registry: 'team' });
    expect(across.json).toMatchObject({ runtime_key: 'analyst', runtime: { system_prompt: 'You are team analyst' } });
    const viaQuery = await call('GET', '/api/chat/resolve?registry=team&profile=analyst');
    expect(viaQuery.json.runtime_key).toBe('analyst');
    expect((await call('POST', '/api/chat/resolve', { prompt: 'hi', registry: 'Bad Registry!' })).status).toBe(400);
    expect((await call('POST', '/api/chat/resolve?registry=missing', { prompt: 'hi' })).status).toBe(404);
    expect((await call('POST', '/api/chat/resolve?registry_slug=default', { prompt: 'hi', conv_id: 'conv-1' })).status).toBe(400);
    expect((await call('POST', '/api/chat/resolve', { prompt: 'hi', conv_id: 'conv-1', runtime_key: 'analyst' })).status).toBe(400);
  });
});
