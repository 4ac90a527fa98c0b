import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

const KEY = 'sk-history-fingerprint-0123456789';

describeEachBackend("a history's fingerprints are those of each version's document on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    for (const slug of ['team', 'shared']) {
      await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug }, headers: { 'x-actor': 'root' } });
    }
    await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: 'shared', slug: 'house', runtime: { tools: ['search'] } },
      headers: { 'x-actor': 'root' },
    });
  });
  afterAll(async () => t?.close());

  it('whether a version changed the runtime, kept it, moved onto a stack or off it, or was a delete', async () => {
    const url = '/api/chat/profiles/writer?registry=team';
    const secretRuntime = { system_prompt: 'Write.', step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o', 'openai-api-key': KEY } } };
    const writes: [method: 'POST' | 'PATCH' | 'DELETE', body?: Json][] = [
      ['POST', { registry: 'team', slug: 'writer', description: 'one', runtime: secretRuntime }],
      ['PATCH', { description: 'two' }],
      ['PATCH', { runtime: { system_prompt: 'Write briefly.' } }],
      ['PATCH', { display_name: 'Writer' }],
      ['PATCH', { runtime: { system_prompt: 'Write.' } }],
      ['PATCH', { stack: [{ registry_slug: 'shared', profile_slug: 'house' }] }],
      ['PATCH', { description: 'three' }],
      ['PATCH', { stack: [] }],
      ['PATCH', { metadata: { tags: ['kept'] } }],
      ['DELETE'],
      ['POST', { registry: 'team', slug: 'writer', description: 'again', runtime: secretRuntime }],
      ['PATCH', { description: 'four' }],
    ];
    for (const [method, body] of writes) {
      const response = await t.app.inject({ method, url: method === 'POST' ? '/api/chat/profiles' : url, payload: body, headers: { 'x-actor': 'ann' } });
      expect(response.statusCode, response.body).toBeLessThan(300);
    }
    const history = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/writer/history?registry=team' });
    expect(history.statusCode).toBe(200);
    const versions = history.json().versions as { version: number; type: string; fingerprint: string | null }[];
    expect(versions.map((entry) => entry.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    for (const entry of versions) {
      if (entry.type === 'profile.deleted') {
        expect(entry.fingerprint).toBeNull();
        continue;
      }
      const document = await t.app.inject({ method: 'GET', url: `${url}&version=${entry.version}` });
      expect(document.statusCode, document.body).toBe(200);
      expect(entry.fingerprint, `version ${entry.version}`).toBe(document.json().fingerprint);
    }
    const fingerprintOf = (version: number) => versions.find((entry) => entry.version === version)?.fingerprint;
    // kept by a version that left the runtime alone (2, 4, 7, 9, 12), another where it changed or the stack did
    expect([2, 4, 7, 9, 12].map((version) => fingerprintOf(version) === fingerprintOf(version - 1))).toEqual([true, true, true, true, true]);
    expect([3, 5, 6, 8].map((version) => fingerprintOf(version) === fingerprintOf(version - 1))).toEqual([false, false, false, false]);
    expect(history.body).not.toContain(KEY);
  });
});
