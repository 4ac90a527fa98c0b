import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import type { Holder, TestTokens } from '../../support/auth-tokens.js';
import type { Backend } from '../../support/test-store.js';
import { openGuardedApp, type GuardedApp } from '../../support/guarded-app.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

const KEY = 'sk-test-secret-key-0001';
const NEW_KEY = 'sk-test-secret-key-0002';
const PASSWORD = 'pw-test-secret-0003';
const EXT_TOKEN = 'tok-test-secret-0004';
const SECRETS = [KEY, NEW_KEY, PASSWORD, EXT_TOKEN];

const profileBody = {
  slug: 'chat',
  runtime: {
    system_prompt: 'You chat',
    step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o', 'openai-api-key': KEY, 'ai-max-response-tokens': 512 } },
    middlewares: [{ name: 'auth', id: 'a', config: { password: PASSWORD } }],
  },
  extensions: { 'vendor.auth@v1': { token: EXT_TOKEN, max_tokens: 5 } },
};

describe.each(backends)('secrets in profiles on %s', (backend) => {
  let t: GuardedApp;
  let tokens: TestTokens;
  const logs: string[] = [];
  /** Every body answered to a caller not entitled to secrets. */
  const shown: string[] = [];

  const call = async (holder: Holder, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      payload: payload as string,
      headers: { ...(payload !== undefined && typeof payload === 'object' ? { 'content-type': 'application/json' } : {}), ...headers, ...tokens.bearer(holder) },
    });
    return response;
  };
  const seen = async (holder: Holder, method: string, url: string, payload?: unknown, headers?: Record<string, string>) => {
    const response = await call(holder, method, url, payload, headers);
    shown.push(response.body);
    return response;
  };

  beforeAll(async () => {
    t = await openGuardedApp(backend, { logLevel: 'debug', logStream: { write: (line) => void logs.push(line) } });
    tokens = t.tokens;
    await seen('admin', 'POST', '/api/registries', { slug: 'default' });
  });
  afterAll(() => t?.close());

  it('stores secrets as written and shows them as *** in every answer', async () => {
    const created = await seen('editor', 'POST', '/api/chat/profiles', profileBody);
    expect(created.statusCode).toBe(201);
    const doc = created.json();
    expect(doc.runtime.step_settings_patch['ai-chat']).toEqual({ 'ai-engine': 'gpt-4o', 'openai-api-key': '***', 'ai-max-response-tokens': 512 });
    expect(doc.runtime.middlewares[0].config).toEqual({ password: '***' });
    expect(doc.extensions['vendor.auth@v1']).toEqual({ token: '***', max_tokens: 5 });

    for (const holder of ['reader', 'editor', 'admin'] as const) {
      for (const url of [
        '/api/chat/profiles/chat',
        '/api/chat/profiles/chat?version=1',
        '/api/chat/profiles',
        '/api/registries/default',
        '/api/registries/default?version=2',
        '/api/registries/default/events',
        '/api/chat/profiles/chat/history',
        '/api/chat/profiles/chat/diff?from=1&to=1',
        '/api/registries/default/export',
      ]) {
        const response = await seen(holder, 'GET', url);
        expect(response.statusCode, url).toBe(200);
      }
      const json = await seen(holder, 'GET', '/api/registries/default/export', undefined, { accept: 'application/json' });
      expect(json.json().registries.default.profiles.chat.runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe('***');
    }
    const resolved = await seen('reader', 'GET', '/api/chat/resolve/chat');
    expect(resolved.json().runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe('***');
    expect((await seen('editor', 'POST', '/api/chat/resolve', { profile: 'chat' })).json().runtime.middlewares[0].config.password).toBe('***');
  });

  it('keeps the stored secret when a client sends *** back, and changes the fingerprint when a secret changes', async () => {
    const read = (await seen('editor', 'GET', '/api/chat/profiles/chat')).json();
    const roundTrip = await seen('editor', 'PATCH', '/api/chat/profiles/chat', { runtime: read.runtime, extensions: read.extensions });
    expect(roundTrip.statusCode).toBe(200);
    expect(roundTrip.json().metadata.version).toBe(1);
    expect(roundTrip.json().fingerprint).toBe(read.fingerprint);
    const asRuntime = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json();
    expect(asRuntime.runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe(KEY);
    expect(asRuntime.runtime.middlewares[0].config.password).toBe(PASSWORD);

    const runtime = structuredClone(read.runtime);
    runtime.step_settings_patch['ai-chat']['openai-api-key'] = NEW_KEY;
    const changed = await seen('editor', 'PATCH', '/api/chat/profiles/chat', { runtime });
    expect(changed.json().metadata.version).toBe(2);
    expect(changed.json().fingerprint).not.toBe(read.fingerprint);
    expect(changed.json().runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe('***');

    const history = (await seen('reader', 'GET', '/api/chat/profiles/chat/history')).json();
    expect(history.versions[0].changes).toEqual([
      { op: 'replace', path: '/runtime/step_settings_patch/ai-chat/openai-api-key', value: '***' },
    ]);
    const dryRun = await seen('admin', 'POST', '/api/chat/profiles/chat/restore', { to_version: 1, dry_run: true });
    expect(dryRun.json().changes).toEqual([{ op: 'replace', path: '/runtime/step_settings_patch/ai-chat/openai-api-key', value: '***' }]);
    const registryDryRun = await seen('admin', 'POST', '/api/registries/default/restore', { to_version: 1, dry_run: true });
    expect(registryDryRun.statusCode).toBe(200);
    const feed = await seen('reader', 'GET', '/api/watch?after=0&wait=0', undefined, { accept: 'application/json' });
    expect(feed.json().changes.length).toBeGreaterThan(0);
  });

  it('an import of a redacted export keeps the stored secrets', async () => {
    const exported = (await seen('admin', 'GET', '/api/registries/default/export', undefined, { accept: 'application/json' })).json();
    const imported = await seen('admin', 'POST', '/api/registries/default/import', exported);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().events).toBe(0);
    const asRuntime = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json();
    expect(asRuntime.runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe(NEW_KEY);
  });

  it('reveals secrets to an admin who asks, logs that, and refuses the others', async () => {
    for (const holder of ['reader', 'runtime', 'editor'] as const) {
      const refused = await seen(holder, 'GET', '/api/chat/profiles/chat?reveal=secrets');
      expect(refused.statusCode).toBe(403);
    }
    const revealed = await call('admin', 'GET', '/api/chat/profiles/chat?reveal=secrets');
    expect(revealed.json().runtime.step_settings_patch['ai-chat']['openai-api-key']).toBe(NEW_KEY);
    // an answer with real secrets says so and is never stored by a browser or proxy; others do not
    expect(revealed.headers['profile-secrets']).toBe('revealed');
    expect(revealed.headers['cache-control']).toBe('no-store');
    const runtimeResolve = await call('runtime', 'GET', '/api/chat/resolve/chat');
    expect(runtimeResolve.headers['profile-secrets']).toBe('revealed');
    const readerResolve = await seen('reader', 'GET', '/api/chat/resolve/chat');
    expect(readerResolve.headers['profile-secrets']).toBeUndefined();
    expect((await seen('admin', 'GET', '/api/chat/profiles/chat')).headers['profile-secrets']).toBeUndefined();
    expect((await call('admin', 'GET', '/api/registries/default/export?reveal=secrets')).body).toContain(NEW_KEY);
    expect((await call('admin', 'GET', '/api/chat/profiles/chat/history?reveal=secrets')).body).toContain(KEY);
    expect((await call('admin', 'GET', '/api/chat/resolve/chat')).body).toContain(NEW_KEY);
    expect(logs.some((line) => line.includes('secrets revealed') && line.includes('admin-token'))).toBe(true);
  });

  it('never showed a secret to anyone else, nor wrote one to the log', () => {
    expect(shown.length).toBeGreaterThan(40);
    expect(logs.length).toBeGreaterThan(20);
    for (const secret of SECRETS) {
      expect(shown.filter((body) => body.includes(secret))).toEqual([]);
      expect(logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
