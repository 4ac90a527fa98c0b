import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../src/http/auth/roles.js';
import type { Holder, TestTokens } from '../../support/auth-tokens.js';
import { openGuardedApp, type GuardedApp } from '../../support/guarded-app.js';

type Required = Role | 'public';

interface RouteCase {
  name: string;
  role: Required;
  /** Whether the request names a registry (a limited token gets 404 outside its own). */
  scoped: boolean;
  request: (registry: string, n: number) => { method: string; url: string; payload?: unknown; headers?: Record<string, string> };
  /** Run as admin before each request (ignoring its answer), e.g. to create what the request deletes. */
  prepare?: (registry: string, n: number) => { method: string; url: string; payload?: unknown };
}

const json = { 'content-type': 'application/json' };

const ROUTES: RouteCase[] = [
  { name: 'GET /healthz', role: 'public', scoped: false, request: () => ({ method: 'GET', url: '/healthz' }) },
  { name: 'GET /readyz', role: 'public', scoped: false, request: () => ({ method: 'GET', url: '/readyz' }) },
  { name: 'GET /metrics', role: 'reader', scoped: false, request: () => ({ method: 'GET', url: '/metrics' }) },
  { name: 'GET /openapi.json', role: 'reader', scoped: false, request: () => ({ method: 'GET', url: '/openapi.json' }) },
  { name: 'GET /docs/', role: 'reader', scoped: false, request: () => ({ method: 'GET', url: '/docs/' }) },
  { name: 'GET /api/chat/profiles', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/chat/profiles?registry=${r}` }) },
  { name: 'GET /api/chat/profiles/:slug', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base?registry=${r}` }) },
  {
    name: 'POST /api/chat/profiles',
    role: 'editor',
    scoped: true,
    request: (r, n) => ({ method: 'POST', url: '/api/chat/profiles', payload: { registry: r, slug: `new-${n}` } }),
  },
  {
    name: 'PATCH /api/chat/profiles/:slug',
    role: 'editor',
    scoped: true,
    request: (r, n) => ({ method: 'PATCH', url: `/api/chat/profiles/base?registry=${r}`, payload: { description: `d${n}` } }),
  },
  {
    name: 'DELETE /api/chat/profiles/:slug',
    role: 'editor',
    scoped: true,
    prepare: (r, n) => ({ method: 'POST', url: '/api/chat/profiles', payload: { registry: r, slug: `gone-${n}` } }),
    request: (r, n) => ({ method: 'DELETE', url: `/api/chat/profiles/gone-${n}?registry=${r}` }),
  },
  {
    name: 'POST /api/chat/profiles/:slug/default',
    role: 'editor',
    scoped: true,
    request: (r) => ({ method: 'POST', url: '/api/chat/profiles/base/default', payload: { registry: r } }),
  },
  { name: 'GET /api/registries', role: 'reader', scoped: false, request: () => ({ method: 'GET', url: '/api/registries' }) },
  { name: 'GET /api/registries/:registry', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/registries/${r}` }) },
  {
    name: 'POST /api/registries',
    role: 'admin',
    scoped: false,
    request: (_r, n) => ({ method: 'POST', url: '/api/registries', payload: { slug: `made-${n}` } }),
  },
  {
    name: 'PATCH /api/registries/:registry',
    role: 'admin',
    scoped: true,
    request: (r, n) => ({ method: 'PATCH', url: `/api/registries/${r}`, payload: { description: `d${n}` } }),
  },
  {
    name: 'DELETE /api/registries/:registry',
    role: 'admin',
    scoped: false,
    prepare: (_r, n) => ({ method: 'POST', url: '/api/registries', payload: { slug: `doomed-${n}` } }),
    request: (_r, n) => ({ method: 'DELETE', url: `/api/registries/doomed-${n}` }),
  },
  { name: 'GET /api/registries/:registry/events', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/registries/${r}/events` }) },
  {
    name: 'GET /api/chat/profiles/:slug/history',
    role: 'reader',
    scoped: true,
    request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base/history?registry=${r}` }),
  },
  {
    name: 'GET /api/chat/profiles/:slug/diff',
    role: 'reader',
    scoped: true,
    request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base/diff?registry=${r}&from=1&to=1` }),
  },
  {
    name: 'POST /api/chat/profiles/:slug/restore',
    role: 'admin',
    scoped: true,
    request: (r) => ({ method: 'POST', url: '/api/chat/profiles/base/restore', payload: { registry: r, to_version: 1, dry_run: true } }),
  },
  {
    name: 'POST /api/registries/:registry/restore',
    role: 'admin',
    scoped: true,
    request: (r) => ({ method: 'POST', url: `/api/registries/${r}/restore`, payload: { to_version: 1, dry_run: true } }),
  },
  { name: 'GET /api/chat/resolve', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/chat/resolve?registry=${r}` }) },
  { name: 'POST /api/chat/resolve', role: 'reader', scoped: true, request: (r) => ({ method: 'POST', url: '/api/chat/resolve', payload: { registry: r } }) },
  { name: 'GET /api/chat/resolve/:slug', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/chat/resolve/base?registry=${r}` }) },
  {
    name: 'POST /api/chat/resolve/:slug',
    role: 'reader',
    scoped: true,
    request: (r) => ({ method: 'POST', url: '/api/chat/resolve/base', payload: { registry: r } }),
  },
  { name: 'GET /api/chat/profile', role: 'editor', scoped: true, request: (r) => ({ method: 'GET', url: `/api/chat/profile?registry=${r}` }) },
  {
    name: 'POST /api/chat/profile',
    role: 'editor',
    scoped: true,
    request: (r) => ({ method: 'POST', url: '/api/chat/profile', payload: { registry: r, profile: 'base' } }),
  },
  {
    name: 'GET /api/watch',
    role: 'reader',
    scoped: true,
    request: (r) => ({ method: 'GET', url: `/api/watch?registry=${r}&after=0&wait=0`, headers: { accept: 'application/json' } }),
  },
  {
    name: 'POST /api/registries/:registry/import',
    role: 'admin',
    scoped: true,
    request: (r) => ({
      method: 'POST',
      url: `/api/registries/${r}/import`,
      payload: { slug: r, profiles: { base: { slug: 'base' } } },
    }),
  },
  { name: 'GET /api/registries/:registry/export', role: 'reader', scoped: true, request: (r) => ({ method: 'GET', url: `/api/registries/${r}/export` }) },
];

const CALLERS = ['none', 'wrong', 'reader', 'runtime', 'editor', 'admin', 'limited'] as const;
type Caller = (typeof CALLERS)[number];

const GRANTS: Record<Holder, Required[]> = {
  reader: ['public', 'reader'],
  runtime: ['public', 'reader', 'runtime'],
  editor: ['public', 'reader', 'editor'],
  admin: ['public', 'reader', 'runtime', 'editor', 'admin'],
  limited: ['public', 'reader', 'editor'],
};

/** The status class a caller gets: 'ok' is any 2xx or 3xx. */
const expected = (route: RouteCase, caller: Caller): 'ok' | 401 | 403 | 404 => {
  if (route.role === 'public') return 'ok';
  if (caller === 'none' || caller === 'wrong') return 401;
  if (!GRANTS[caller].includes(route.role)) return 403;
  // the limited token asks about registry `default`, which it may not see
  if (caller === 'limited' && route.scoped) return 404;
  return 'ok';
};

describe('who may call which route (auth on)', () => {
  let t: GuardedApp;
  let tokens: TestTokens;
  let n = 0;
  beforeAll(async () => {
    t = await openGuardedApp('sqlite');
    tokens = t.tokens;
    for (const registry of ['default', 'team']) {
      const admin = tokens.bearer('admin');
      await t.app.inject({ method: 'POST', url: '/api/registries', headers: admin, payload: { slug: registry } });
      await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: admin, payload: { registry, slug: 'base' } });
    }
  });
  afterAll(() => t?.close());

  const headersOf = (caller: Caller): Record<string, string> => {
    if (caller === 'none') return {};
    if (caller === 'wrong') return { authorization: 'Bearer prt_not-a-token-of-this-server' };
    return tokens.bearer(caller);
  };

  const send = async (route: RouteCase, caller: Caller, registry: string) => {
    n += 1;
    if (route.prepare) await t.app.inject({ ...route.prepare(registry, n), headers: { ...json, ...tokens.bearer('admin') } } as never);
    const request = route.request(registry, n);
    return t.app.inject({
      method: request.method as 'GET',
      url: request.url,
      payload: request.payload as string,
      headers: { ...(request.payload !== undefined ? json : {}), ...request.headers, ...headersOf(caller) },
    });
  };

  it.each(ROUTES.flatMap((route) => CALLERS.map((caller) => [route.name, caller, route] as const)))(
    '%s as %s',
    async (_name, caller, route) => {
      const response = await send(route, caller, 'default');
      const want = expected(route, caller);
      if (want === 'ok') {
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
        expect(response.statusCode, response.body).toBeLessThan(400);
        return;
      }
      expect(response.statusCode, response.body).toBe(want);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: want });
      if (want === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      if (want === 404) expect(response.json().detail).toBe('registry not found');
    },
  );

  it.each(ROUTES.filter((route) => route.scoped && GRANTS.limited.includes(route.role)).map((route) => [route.name, route] as const))(
    '%s as the limited token, in its own registry',
    async (_name, route) => {
      const response = await send(route, 'limited', 'team');
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
      expect(response.statusCode, response.body).toBeLessThan(400);
    },
  );

  it('an unknown route asks for a token before it says 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/nope', headers: tokens.bearer('reader') })).statusCode).toBe(404);
  });

  it('feeds a limited token only the changes of its registries', async () => {
    const feed = async (holder: Holder) =>
      (
        await t.app.inject({ method: 'GET', url: '/api/watch?after=0&wait=0', headers: { ...tokens.bearer(holder), accept: 'application/json' } })
      ).json().changes as { registry: string; affected: { registry: string }[] }[];
    const limited = await feed('limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(new Set(limited.map((change) => change.registry))).toEqual(new Set(['team']));
    expect(limited.flatMap((change) => change.affected).every((profile) => profile.registry === 'team')).toBe(true);
    expect((await feed('reader')).map((change) => change.registry)).toEqual(expect.arrayContaining(['default', 'team']));
  });

  it('lists only the registries a limited token may see', async () => {
    const listed = await t.app.inject({ method: 'GET', url: '/api/registries', headers: tokens.bearer('limited') });
    expect(listed.json().map((registry: { slug: string }) => registry.slug)).toEqual(['team']);
    const all = await t.app.inject({ method: 'GET', url: '/api/registries', headers: tokens.bearer('reader') });
    expect(all.json().map((registry: { slug: string }) => registry.slug)).toEqual(expect.arrayContaining(['default', 'team']));
  });
});
