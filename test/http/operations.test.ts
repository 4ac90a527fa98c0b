import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

describe('operations routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('reports health and readiness', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus metrics that count committed events and time requests by route', async () => {
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'metrics' } });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('profile_registry_events_appended_total{type="registry.created"} 1');
    expect(metrics.body).toMatch(/profile_registry_http_request_duration_seconds_count\{route="\/api\/registries",method="POST",status="201"\} 1/);
  });

  it('serves an OpenAPI document listing the profile routes, and its UI', async () => {
    const openapi = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const paths = Object.keys(openapi.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/chat/profiles', '/api/chat/profiles/{slug}', '/api/registries']));
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('tags every response with a request id, echoing the caller\'s', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers['x-request-id']).toBe('trace-123');
    const generated = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(generated.headers['x-request-id']).toMatch(/^[\w-]{12}$/);
  });
});

describe('the API document, Swagger UI and the console, built on their first request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('answer right after the start, asked for all at once, as they answered when built at the start', async () => {
    const [openapi, docsJson, docsPage, consolePage] = await Promise.all(
      ['/openapi.json', '/docs/json', '/docs/', '/console/'].map((url) => t.app.inject({ method: 'GET', url })),
    );
    expect([openapi, docsJson, docsPage, consolePage].map((response) => response!.statusCode)).toEqual([200, 200, 200, 200]);
    expect(docsJson!.json()).toEqual(openapi!.json());
    expect(Object.keys(openapi!.json().paths)).toContain('/healthz');
    expect(Object.keys(openapi!.json().paths).filter((path) => path.startsWith('/docs') || path.startsWith('/console'))).toEqual([]);
    expect(docsPage!.headers['content-type']).toContain('text/html');
    expect(consolePage!.headers['content-security-policy']).toContain("default-src 'none'");
    expect(consolePage!.headers['cache-control']).toBe('no-cache');
    const yaml = await t.app.inject({ method: 'GET', url: '/docs/yaml' });
    expect(yaml.body).toContain('openapi: 3.1.0');
    const head = await t.app.inject({ method: 'HEAD', url: '/docs/' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(docsPage!.rawPayload.length));
  });

  it('answer a file they do not have with the API\'s own 404', async () => {
    for (const url of ['/docs/static/missing.js', '/console/missing.js']) {
      const missing = await t.app.inject({ method: 'GET', url });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('request edges', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('takes an empty JSON body on DELETE as no body', async () => {
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'doomed' } });
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: '/api/registries/doomed',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(deleted.statusCode).toBe(204);
  });

  it('refuses an overlong X-Actor and replaces an unusable X-Request-Id', async () => {
    const before = await t.store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/registries',
      headers: { 'x-actor': 'a'.repeat(257) },
      payload: { slug: 'actors' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toBe('validation error (X-Actor): at most 256 characters');
    expect(await t.store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events')).toEqual(before);
    const odd = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(odd.headers['x-request-id']).toMatch(/^[\w-]{12}$/);
  });
});
