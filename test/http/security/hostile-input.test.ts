import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../../src/use-cases/seed-default-registry.js';
import { postgresAvailable } from '../../support/postgres.js';
import { storeFingerprint } from '../../support/store-fingerprint.js';
import { openTestApp, type Backend, type TestApp } from '../../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

interface Inject {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

describe.each(backends)('hostile input on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, {}, { idempotencyTtlMs: 2000 });
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  /** Sends a request that must be refused with a 4xx problem and leave the store as it was. */
  const refused = async (request: Inject, status?: number) => {
    const before = await storeFingerprint(t.store.db);
    const response = await t.app.inject(request as never);
    const label = `${request.method} ${request.url}`;
    expect(response.statusCode, `${label}: ${response.body}`).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, `${label}: ${response.body}`).toBeLessThan(500);
    if (status !== undefined) expect(response.statusCode, `${label}: ${response.body}`).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: response.statusCode, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(await storeFingerprint(t.store.db)).toBe(before);
    return response;
  };

  it('refuses 100-level nested JSON and a 10 MiB body', async () => {
    let nested: unknown = 'leaf';
    for (let level = 0; level < 100; level++) nested = { a: nested };
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'deep', extensions: { 'a.b@v1': nested } } }, 400);
    let array = '1';
    for (let level = 0; level < 5000; level++) array = `[${array}]`;
    await refused({ method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload: `{"slug":"deep","extensions":{"a.b@v1":${array}}}` }, 400);
    const huge = JSON.stringify({ slug: 'huge', description: 'x'.repeat(10 * 1024 * 1024) });
    await refused({ method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload: huge }, 413);
  });

  it('refuses __proto__ and constructor.prototype keys (prototype poisoning) at any depth, and keeps constructor as data', async () => {
    for (const payload of [
      '{"slug":"proto","__proto__":{"polluted":1}}',
      '{"slug":"proto","runtime":{"step_settings_patch":{"__proto__":{"api-key":"k"}}}}',
      '{"slug":"proto","extensions":{"a.b@v1":{"constructor":{"prototype":{"polluted":2}}}}}',
    ]) {
      await refused({ method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload }, 400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const kept = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      headers: { 'content-type': 'application/json' },
      payload: '{"slug":"proto","runtime":{"step_settings_patch":{"constructor":{"a":1},"toString":{"token":"t"}}}}',
    });
    expect(kept.statusCode).toBe(201);
    expect(kept.json().runtime.step_settings_patch).toEqual({ constructor: { a: 1 }, toString: { token: '***' } });
    for (const slug of ['__proto__', 'constructor', 'prototype']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}` });
      expect(response.statusCode).toBe(slug === '__proto__' ? 400 : 404);
      await refused({ method: 'GET', url: `/api/chat/profiles?registry=${slug}` });
    }
  });

  it('refuses NUL characters and lone surrogates wherever they come', async () => {
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'nul', description: 'a\u0000b' } }, 400);
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'sur', description: 'a\ud800b' } }, 400);
    await refused({ method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload: '{"slug":"sur","description":"\\udc00"}' }, 400);
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'key', extensions: { 'a.b@v1': { 'k\u0000': 1 } } } }, 400);
    await refused({ method: 'GET', url: '/api/chat/profiles/a%00b' }, 400);
    await refused({ method: 'GET', url: '/api/chat/profiles/%ED%A0%80' }, 400);
    await refused({ method: 'GET', url: '/api/chat/profiles?registry=%00' }, 400);
    await refused({ method: 'GET', url: '/api/chat/profiles/default?as_of=%00' }, 400);
  });

  it('keeps SQL metacharacters as text', async () => {
    const evil = "'; DROP TABLE events; -- \" % _ \\ ` $1 ?";
    const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'sql', display_name: evil, description: evil, metadata: { tags: [evil] } } });
    expect(created.statusCode).toBe(201);
    expect(created.json().display_name).toBe(evil);
    await refused({ method: 'GET', url: `/api/chat/profiles/${encodeURIComponent(evil)}` }, 400);
    await refused({ method: 'GET', url: `/api/chat/profiles?registry=${encodeURIComponent(evil)}` }, 400);
    await refused({ method: 'GET', url: `/api/registries/${encodeURIComponent("x' OR '1'='1")}` }, 400);
    const contains = await t.app.inject({ method: 'GET', url: `/api/chat/profiles?contains=${encodeURIComponent(JSON.stringify({ display_name: evil }))}` });
    expect(contains.statusCode).toBeLessThan(500);
    const listed = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/sql' });
    expect(listed.json().metadata.tags).toEqual([evil]);
  });

  it('refuses negative, fractional and out-of-range versions and positions', async () => {
    for (const value of ['-1', '1.5', '1e3', '18446744073709551616', '9223372036854775807', '9007199254740993', 'NaN', '0x10', ' ']) {
      const q = encodeURIComponent(value);
      await refused({ method: 'GET', url: `/api/chat/profiles/default?version=${q}` }, 400);
      await refused({ method: 'GET', url: `/api/registries/default?version=${q}` }, 400);
      await refused({ method: 'GET', url: `/api/registries/default/events?after=${q}` }, 400);
      await refused({ method: 'GET', url: `/api/watch?after=${q}`, headers: { accept: 'application/json' } }, 400);
      await refused({ method: 'GET', url: '/api/watch', headers: { accept: 'application/json', 'last-event-id': value } }, 400);
      await refused({ method: 'GET', url: `/api/chat/profiles/default/diff?from=1&to=${q}` }, 400);
      await refused({ method: 'GET', url: `/api/chat/profiles/default/history?before_version=${q}` }, 400);
      await refused({ method: 'DELETE', url: `/api/chat/profiles/default?expected_version=${q}` }, 400);
    }
    for (const value of [-1, 1.5, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, '9223372036854775807']) {
      await refused({ method: 'PATCH', url: '/api/chat/profiles/default', payload: { description: 'x', expected_version: value } }, 400);
      await refused({ method: 'POST', url: '/api/chat/profiles/default/restore', payload: { to_version: value } }, 400);
      await refused({ method: 'POST', url: '/api/registries/default/restore', payload: { to_version: value } }, 400);
    }
    // a version beyond the last one is simply not there
    await refused({ method: 'GET', url: `/api/chat/profiles/default?version=${Number.MAX_SAFE_INTEGER}` }, 404);
    await refused({ method: 'GET', url: `/api/chat/profiles/default?as_of=${'9'.repeat(30)}` }, 400);
  });

  it('survives malformed cookies and If-Match headers', async () => {
    for (const cookie of ['chat_profile=%E0%A4%A', 'chat_profile=a/b/c', 'chat_profile==;;;', `chat_profile=${'x'.repeat(5000)}`, 'chat_profile', ';', 'chat_profile="default"']) {
      for (const url of ['/api/chat/profile', '/api/chat/resolve']) {
        const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
        expect(response.statusCode, `${url} ${cookie.slice(0, 40)}`).toBeLessThan(500);
      }
    }
    for (const ifMatch of ['"abc', '*x', 'W/"1-abc"', '"99999999999999999999999-aa"', ',,,', '"1-', '""']) {
      await refused({ method: 'PATCH', url: '/api/chat/profiles/default', headers: { 'if-match': ifMatch }, payload: { description: 'm' } }, 412);
      await refused({ method: 'DELETE', url: '/api/registries/default', headers: { 'if-match': ifMatch } });
    }
  });

  it('limits Idempotency-Key to 255 characters and forgets keys once they expire', async () => {
    await refused({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'k'.repeat(256) }, payload: { slug: 'idem' } }, 400);
    const first = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'k'.repeat(255) }, payload: { slug: 'idem' } });
    expect(first.statusCode).toBe(201);
    const replay = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'k'.repeat(255) }, payload: { slug: 'idem' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'other' }, payload: { slug: 'idem-2' } });
    expect(other.statusCode).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // expired: the same key is a new request now, and the expired keys are gone from the table
    const fresh = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'k'.repeat(255) }, payload: { slug: 'idem-3' } });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    const keys = await t.store.db.all<{ key: string }>('SELECT key FROM idempotency_keys');
    expect(keys.map((row) => row.key)).toEqual(['k'.repeat(255)]);
  });
});
