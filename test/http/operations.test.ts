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
