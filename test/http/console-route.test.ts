import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTokens } from '../support/auth-tokens.js';
import { openTestApp } from '../support/test-store.js';
import { openGuardedApp, type GuardedApp } from '../support/guarded-app.js';

describe('the console route and GET /api/session (auth on)', () => {
  let t: GuardedApp;
  let tokens: TestTokens;
  beforeAll(async () => {
    t = await openGuardedApp('sqlite');
    tokens = t.tokens;
  });
  afterAll(() => t?.close());

  it('serves the built console without a token, under a Content-Security-Policy that allows only its own files', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script type="module" src="./app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const script = await t.app.inject({ method: 'GET', url: '/console/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    const style = await t.app.inject({ method: 'GET', url: '/console/style.css' });
    expect(style.headers['content-type']).toContain('text/css');
    const bare = await t.app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves nothing outside the console folder, and API routes still need a token', async () => {
    for (const url of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/missing.js']) {
      const response = await t.app.inject({ method: 'GET', url });
      // 404 from the console's files, or the token check of a path that leaves /console/
      expect([401, 403, 404], url).toContain(response.statusCode);
      expect(response.body).not.toContain('"devDependencies"');
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/registries' })).statusCode).toBe(401);
  });

  it('tells a token who it is: name, role and registries', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/session' })).statusCode).toBe(401);
    const reader = await t.app.inject({ method: 'GET', url: '/api/session', headers: tokens.bearer('reader') });
    expect(reader.json()).toEqual({ name: 'reader-token', role: 'reader' });
    const limited = await t.app.inject({ method: 'GET', url: '/api/session', headers: tokens.bearer('limited') });
    expect(limited.json()).toEqual({ name: 'limited-token', role: 'editor', registries: ['team'] });
  });
});

describe('GET /api/session without auth', () => {
  it('answers that the caller counts as an admin', async () => {
    const t = await openTestApp('sqlite');
    try {
      expect((await t.app.inject({ method: 'GET', url: '/api/session' })).json()).toEqual({ name: null, role: 'admin' });
    } finally {
      await t.close();
    }
  });
});
