import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestTokens, type TestTokens } from '../../support/auth-tokens.js';
import { openTestApp, tempDir } from '../../support/test-store.js';
import { openGuardedApp, type GuardedApp } from '../../support/guarded-app.js';

const until = async (check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('bearer tokens', () => {
  let t: GuardedApp;
  let tokens: TestTokens;
  beforeAll(async () => {
    t = await openGuardedApp('sqlite', { corsOrigins: ['https://console.example'] });
    tokens = t.tokens;
    await t.app.inject({ method: 'POST', url: '/api/registries', headers: tokens.bearer('admin'), payload: { slug: 'default' } });
  });
  afterAll(() => t?.close());

  const get = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/chat/profiles', headers });

  it('answers 401 with WWW-Authenticate for a missing, malformed or unknown token', async () => {
    const cases: Record<string, string>[] = [{}, { authorization: 'Basic YTpi' }, { authorization: 'Bearer' }, { authorization: `Bearer ${tokens.token.reader}x` }];
    for (const headers of cases) {
      const response = await get(headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="profile-registry"/);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    expect((await get({ authorization: `bearer ${tokens.token.reader}` })).statusCode).toBe(200);
  });

  it('names the token holder as the actor; X-Actor is ignored, or recorded as on_behalf_of for an admin', async () => {
    const byEditor = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      headers: { ...tokens.bearer('editor'), 'x-actor': 'mallory' },
      payload: { slug: 'audited' },
    });
    expect(byEditor.json().metadata.created_by).toBe('editor-token');
    await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/audited',
      headers: { ...tokens.bearer('admin'), 'x-actor': 'alice' },
      payload: { description: 'for alice' },
    });
    const events = (await t.app.inject({ method: 'GET', url: '/api/registries/default/events', headers: tokens.bearer('reader') })).json()
      .events as { actor: string; on_behalf_of?: string; type: string }[];
    const profileEvents = events.filter((event) => event.type.startsWith('profile.'));
    expect(profileEvents.map((event) => [event.actor, event.on_behalf_of])).toEqual([
      ['editor-token', undefined],
      ['admin-token', 'alice'],
    ]);
    const history = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles/audited/history', headers: tokens.bearer('reader') })).json();
    expect(history.versions.map((version: { actor: string }) => version.actor)).toEqual(['admin-token', 'editor-token']);
  });

  it('takes JSON bodies only on writes and cookie routes (a cross-site form cannot post them)', async () => {
    for (const [url, type, payload] of [
      ['/api/chat/profiles', 'application/x-www-form-urlencoded', 'slug=x'],
      ['/api/chat/profiles', 'text/plain', '{"slug":"x"}'],
      ['/api/chat/profile', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="slug"\r\n\r\nx\r\n--b--'],
      ['/api/chat/profile', 'text/plain', '{"slug":"audited"}'],
    ]) {
      const response = await t.app.inject({ method: 'POST', url, headers: { ...tokens.bearer('admin'), 'content-type': type }, payload });
      expect(response.statusCode, `${url} ${type}`).toBe(415);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answers CORS only for the listed origins, and preflights without a token', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chat/profiles',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example');
    const other = await get({ ...tokens.bearer('reader'), origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('stops taking a token at once when it leaves the file, and takes a new one when it is added', async () => {
    expect((await get(tokens.bearer('runtime'))).statusCode).toBe(200);
    tokens.write(['reader', 'editor', 'admin', 'limited']);
    await until(async () => (await get(tokens.bearer('runtime'))).statusCode === 401);
    expect((await get(tokens.bearer('reader'))).statusCode).toBe(200);
    tokens.write(['reader', 'runtime', 'editor', 'admin', 'limited']);
    await until(async () => (await get(tokens.bearer('runtime'))).statusCode === 200);
  });

  it('refuses every token while the file is broken, and recovers when it is fixed (SIGHUP path)', async () => {
    writeFileSync(tokens.file, '- {name: broken\n');
    t.app.reloadAuthTokens();
    expect((await get(tokens.bearer('admin'))).statusCode).toBe(401);
    tokens.write(['reader', 'runtime', 'editor', 'admin', 'limited']);
    t.app.reloadAuthTokens();
    expect((await get(tokens.bearer('admin'))).statusCode).toBe(200);
  });

  it('keeps /healthz and /readyz open and asks a token for /metrics and /docs', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(401);
  });
});

describe('--public-docs-and-metrics', () => {
  it('opens /metrics, /openapi.json and /docs, and nothing else', async () => {
    const dir = tempDir();
    const tokens = writeTestTokens(dir.dir);
    const t = await openTestApp('sqlite', {}, { authTokensFile: tokens.file, publicDocsAndMetrics: true });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/registries' })).statusCode).toBe(401);
    } finally {
      await t.close();
      dir.remove();
    }
  });
});
