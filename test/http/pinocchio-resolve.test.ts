import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

/** Resolve as pinocchio's chat handlers and geppetto's resolver answer it (docs/COMPATIBILITY.md). */
describe('resolve with pinocchio’s request shapes and geppetto’s override policy', () => {
  let t: TestApp;
  const send = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, payload });
    return { status: response.statusCode, json: response.json() };
  };
  beforeAll(async () => {
    t = await openTestApp('sqlite');
    for (const slug of ['default', 'shared']) expect((await send('POST', '/api/registries', { slug })).status).toBe(201);
    await send('POST', '/api/chat/profiles', {
      registry: 'shared',
      slug: 'house',
      runtime: { system_prompt: 'house', step_settings_patch: { 'ai-chat': { 'ai-engine': 'base-model', 'ai-max-tokens': 100 } } },
      policy: { allow_overrides: true, denied_override_keys: ['tools'] },
    });
    await send('POST', '/api/chat/profiles', {
      slug: 'analyst',
      runtime: { tools: ['search'], step_settings_patch: { 'ai-chat': { 'ai-engine': 'leaf-model' } } },
      policy: { allow_overrides: true },
      stack: [{ registry_slug: 'shared', profile_slug: 'house' }],
    });
    await send('POST', '/api/chat/profiles', { slug: 'plain', runtime: { system_prompt: 'plain' } });
  });
  afterAll(async () => t?.close());

  it('refuses overrides of a profile saved without a policy, as geppetto’s zero policy does', async () => {
    const refused = await send('POST', '/api/chat/resolve/plain', { overrides: { system_prompt: 'mine' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ detail: 'profile does not allow engine overrides', errors: [{ message: 'request overrides are disabled for this profile' }] });
    expect((await send('GET', '/api/chat/profiles/plain')).json.policy.allow_overrides).toBe(false);
  });

  it('takes pinocchio’s chat body: request_overrides (keys canonicalized), prompt and conv_id', async () => {
    const answer = await send('POST', '/api/chat/resolve', {
      profile: 'analyst',
      prompt: 'hi',
      conv_id: 'conv-1',
      request_overrides: { systemPrompt: 'override' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.runtime.system_prompt).toBe('override');
    const denied = await send('POST', '/api/chat/resolve', { profile: 'analyst', request_overrides: { Tools: ['calc'] } });
    expect(denied.status).toBe(400);
    expect(denied.json.errors).toEqual([{ path: 'request_overrides.tools', message: 'override key "tools" is denied' }]);
    const unknown = await send('POST', '/api/chat/resolve', { profile: 'analyst', request_overrides: { temperature: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.detail).toContain('request_overrides.temperature');
  });

  it('answers the legacy selectors registry_slug and runtime_key with 400, as pinocchio', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/chat/resolve?registry_slug=default', undefined],
      ['POST', '/api/chat/resolve?registry_slug=default', { prompt: 'hi', conv_id: 'conv-1' }],
      ['POST', '/api/chat/resolve', { prompt: 'hi', conv_id: 'conv-1', runtime_key: 'analyst' }],
      ['POST', '/api/chat/resolve', { prompt: 'hi', registry_slug: 'default' }],
    ] as const) {
      const answer = await send(method, url, payload);
      expect(answer.status, url).toBe(400);
      expect(answer.json.detail).toMatch(/^unsupported legacy selector: (registry_slug|runtime_key)$/);
    }
  });

  it('puts each middleware config where pinocchio’s runtime reads it: extensions["middleware.<name>_config@v1"], instances by id', async () => {
    await send('POST', '/api/chat/profiles', {
      slug: 'moded',
      runtime: {
        middlewares: [
          { name: 'agentmode', id: 'primary', config: { default_mode: 'chat' } },
          { name: 'agentmode', config: { default_mode: 'review' } },
          { name: 'logger' },
        ],
      },
      extensions: { 'webchat.starter_suggestions@v1': { items: ['hello'] } },
      stack: [{ registry_slug: 'shared', profile_slug: 'house' }],
    });
    const answer = await send('GET', '/api/chat/resolve/moded');
    expect(answer.status).toBe(200);
    expect(answer.json.extensions).toEqual({
      'webchat.starter_suggestions@v1': { items: ['hello'] },
      'middleware.agentmode_config@v1': { instances: { 'id:primary': { default_mode: 'chat' }, 'index:1': { default_mode: 'review' } } },
    });
  });

  it('returns a stack trace naming the layer that set each value, and lineage entries with their source', async () => {
    const answer = await send('POST', '/api/chat/resolve/analyst', { overrides: { system_prompt: 'asked' } });
    expect(answer.status).toBe(200);
    const byPath = Object.fromEntries((answer.json.stack_trace as { path: string }[]).map((entry) => [entry.path, entry]));
    expect(byPath['/runtime/system_prompt']).toMatchObject({ value: 'asked', source: 'request', layer_index: 2 });
    expect(byPath['/runtime/step_settings_patch/ai-chat/ai-engine']).toMatchObject({ value: 'leaf-model', registry_slug: 'default', profile_slug: 'analyst' });
    expect(byPath['/runtime/step_settings_patch/ai-chat/ai-max-tokens']).toMatchObject({ value: 100, registry_slug: 'shared', profile_slug: 'house', layer_index: 0 });
    expect(byPath['/runtime/tools']).toMatchObject({ value: ['search'], profile_slug: 'analyst', profile_version: 1 });
    expect(answer.json.stack_lineage).toEqual([
      { registry_slug: 'shared', profile_slug: 'house', version: 1, source: 'http-api' },
      { registry_slug: 'default', profile_slug: 'analyst', version: 1, source: 'http-api' },
    ]);
  });
});
