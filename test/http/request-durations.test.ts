import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTokens } from '../support/auth-tokens.js';
import { openGuardedApp, type GuardedApp } from '../support/guarded-app.js';

/** The `_count` lines of the request duration histogram, in the order /metrics prints them. */
const countLines = (metrics: string): string[] =>
  metrics.split('\n').filter((line) => line.startsWith('profile_registry_http_request_duration_seconds_count'));

const line = (route: string, method: string, status: number, count: number) =>
  `profile_registry_http_request_duration_seconds_count{route="${route}",method="${method}",status="${status}"} ${count}`;

describe('request durations in /metrics', () => {
  let t: GuardedApp;
  let tokens: TestTokens;
  beforeAll(async () => {
    t = await openGuardedApp('sqlite', { corsOrigins: ['https://console.example'] });
    tokens = t.tokens;
  });
  afterAll(() => t?.close());

  it('counts every request under its route (declared before or after the metrics), HEAD apart, and what no route matched as unmatched', async () => {
    const admin = tokens.bearer('admin');
    const send = (method: 'GET' | 'HEAD' | 'POST' | 'OPTIONS', url: string, headers: Record<string, string> = admin, payload?: object) =>
      t.app.inject({ method, url, headers, payload });
    await send('POST', '/api/registries', admin, { slug: 'team' });
    await send('GET', '/api/chat/profiles/nobody?registry=team');
    await send('GET', '/api/chat/profiles/nobody?registry=team');
    await send('HEAD', '/healthz');
    await send('GET', '/healthz');
    await send('GET', '/api/chat/profiles', {});
    await send('GET', '/no/such/route');
    await send('GET', '/no/such/route', {});
    await send('GET', '/openapi.json');
    await send('GET', '/docs/no-such-file');
    await send('OPTIONS', '/api/chat/profiles', { origin: 'https://console.example', 'access-control-request-method': 'GET' });
    const metrics = await send('GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(countLines(metrics.body)).toEqual([
      line('/api/registries', 'POST', 201, 1),
      line('/api/chat/profiles/:slug', 'GET', 404, 2),
      line('/healthz', 'HEAD', 200, 1),
      line('/healthz', 'GET', 200, 1),
      line('/api/chat/profiles', 'GET', 401, 1),
      line('unmatched', 'GET', 404, 2),
      line('unmatched', 'GET', 401, 1),
      line('/openapi.json', 'GET', 200, 1),
      line('*', 'OPTIONS', 204, 1),
    ]);
  });
});
