import { request } from 'node:http';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../../support/backends.js';
import { OTHER_REGISTRY, OWN_REGISTRY, writeScopedTokens, type ScopedCaller, type ScopedTokens } from '../../support/scoped-tokens.js';
import { openSse } from '../../support/sse-client.js';
import { openTestApp, tempDir, type TestApp } from '../../support/test-store.js';

/**
 * A registry is a wall (issue 28): a token limited to `team-a` learns nothing of `team-b` through
 * stacks, resolve, refusals, the change feed or schemas; what lies outside answers as missing.
 */

const OTHER_NAMES = /team-b|bravo/;
const json = { 'content-type': 'application/json' };
/** An answer as a client can compare it (the request id differs every time). */
const seen = (response: LightMyRequestResponse) => ({ status: response.statusCode, type: response.headers['content-type'], body: response.body });

describeEachBackend('registry scope (%s)', (backend) => {
  let t: TestApp;
  let tokens: ScopedTokens;
  const dir = tempDir();
  const logLines: string[] = [];
  let base = '';

  const call = (caller: ScopedCaller, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: method as 'GET',
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: { ...(payload === undefined ? {} : json), ...headers, ...tokens.bearer(caller) },
    });
  const ok = async (caller: ScopedCaller, method: string, url: string, payload?: unknown) => {
    const response = await call(caller, method, url, payload);
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response;
  };
  const createProfile = (caller: ScopedCaller, registry: string, slug: string, extra: Record<string, unknown> = {}) =>
    call(caller, 'POST', '/api/chat/profiles', { registry, slug, ...extra });

  beforeAll(async () => {
    tokens = writeScopedTokens(dir.dir);
    t = await openTestApp(backend, {}, {
      authTokensFile: tokens.file,
      corsOrigins: ['https://console.example'],
      maxWatchersPerClient: 2,
      logStream: { write: (line) => void logLines.push(line) },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    for (const slug of [OWN_REGISTRY, OTHER_REGISTRY]) await ok('admin', 'POST', '/api/registries', { slug });
    await ok('admin', 'POST', '/api/chat/profiles', { registry: OWN_REGISTRY, slug: 'base', runtime: { system_prompt: 'alpha' } });
    await ok('admin', 'POST', '/api/chat/profiles', { registry: OTHER_REGISTRY, slug: 'bravo-layer', runtime: { system_prompt: 'bravo' } });
    // a cross-registry stack set up by someone who may read both
    await ok('admin', 'POST', '/api/chat/profiles', {
      registry: OWN_REGISTRY,
      slug: 'alpha-stacked',
      stack: [{ registry_slug: OTHER_REGISTRY, profile_slug: 'bravo-layer' }],
      runtime: { tools: ['search'] },
    });
    await ok('admin', 'POST', '/api/chat/profiles', {
      registry: OTHER_REGISTRY,
      slug: 'bravo-dependent',
      stack: [{ registry_slug: OWN_REGISTRY, profile_slug: 'base' }],
    });
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('refuses a stack naming the other registry exactly as one naming a missing profile, and writes nothing', async () => {
    const stackOn = (registry: string, profile: string, slug: string) =>
      createProfile('editor@team-a', OWN_REGISTRY, slug, { stack: [{ registry_slug: registry, profile_slug: profile }] });
    const outside = await stackOn(OTHER_REGISTRY, 'bravo-layer', 'probe');
    const missing = await stackOn(OTHER_REGISTRY, 'bravo-nothing', 'probe');
    expect(outside.statusCode).toBe(400);
    expect(outside.json().detail).toBe('stack refers to missing profile "team-b/bravo-layer"');
    expect(seen(outside)).toEqual({ ...seen(missing), body: missing.body.replaceAll('bravo-nothing', 'bravo-layer') });
    expect((await call('reader', 'GET', `/api/chat/profiles/probe?registry=${OWN_REGISTRY}`)).statusCode).toBe(404);
    // an editor who may read both registries may stack across them
    expect(
      (await createProfile('editor', OWN_REGISTRY, 'probe-all', { stack: [{ registry_slug: OTHER_REGISTRY, profile_slug: 'bravo-layer' }] })).statusCode,
    ).toBe(201);
    await ok('editor', 'DELETE', `/api/chat/profiles/probe-all?registry=${OWN_REGISTRY}`);
  });

  it('resolves a profile whose stack reaches the other registry as a missing profile, signed or not', async () => {
    const missing = await call('runtime@team-a', 'GET', `/api/chat/resolve/alpha-nothing?registry=${OWN_REGISTRY}`);
    expect(missing.statusCode).toBe(404);
    for (const url of [
      `/api/chat/resolve/alpha-stacked?registry=${OWN_REGISTRY}`,
      `/api/chat/resolve/alpha-stacked?registry=${OWN_REGISTRY}&require_signed=true`,
    ]) {
      for (const caller of ['runtime@team-a', 'reader@team-a', 'admin@team-a'] as const) {
        expect(seen(await call(caller, 'GET', url)), `${caller} ${url}`).toEqual(seen(missing));
      }
    }
    const overrides = await call('runtime@team-a', 'POST', '/api/chat/resolve/alpha-stacked', { registry: OWN_REGISTRY, overrides: {} });
    expect(seen(overrides)).toEqual(seen(missing));
    const full = await call('runtime', 'GET', `/api/chat/resolve/alpha-stacked?registry=${OWN_REGISTRY}`);
    expect(full.statusCode).toBe(200);
    expect(full.json().runtime.system_prompt).toBe('bravo');
  });

  it('leaves the other registry out of every list that names no registry', async () => {
    for (const url of ['/api/chat/profiles', '/api/registries', '/api/chat/profiles?contains=%7B%7D', '/api/watch?after=0&wait=0']) {
      const limited = await call('reader@team-a', 'GET', url, undefined, { accept: 'application/json' });
      expect(limited.statusCode, url).toBe(200);
      expect(limited.body, url).toContain(OWN_REGISTRY);
      expect(limited.body, url).not.toMatch(OTHER_NAMES);
      expect((await call('reader', 'GET', url, undefined, { accept: 'application/json' })).body, url).toMatch(OTHER_NAMES);
    }
  });

  it('refuses to delete a profile stacked on from the other registry without naming it', async () => {
    const from = logLines.length;
    const limited = await call('editor@team-a', 'DELETE', `/api/chat/profiles/base?registry=${OWN_REGISTRY}`);
    expect(limited.statusCode).toBe(409);
    expect(limited.json().detail).toBe('profile "base" is stacked on by 1 profile(s) outside the registries this token may read');
    expect(logLines.slice(from).join('\n')).not.toMatch(OTHER_NAMES);
    const full = await call('editor', 'DELETE', `/api/chat/profiles/base?registry=${OWN_REGISTRY}`);
    expect(full.statusCode).toBe(409);
    expect(full.json().detail).toBe('profile "base" is stacked on by team-b/bravo-dependent');
    expect((await call('reader', 'GET', `/api/chat/profiles/base?registry=${OWN_REGISTRY}`)).statusCode).toBe(200);
  });

  it('tells a limited watcher of a change elsewhere only which of its profiles moved, and to what fingerprint', async () => {
    const after = (await call('reader', 'GET', '/api/watch?after=0&wait=0', undefined, { accept: 'application/json' })).json().next_after;
    const sse = openSse(`${base}/api/watch?registry=${OWN_REGISTRY}&after=${after}`, tokens.bearer('reader@team-a'));
    expect(await sse.status).toBe(200);
    await ok('admin', 'PATCH', `/api/chat/profiles/bravo-layer?registry=${OTHER_REGISTRY}`, { runtime: { system_prompt: 'bravo, changed' } });
    const stacked = (await ok('reader', 'GET', `/api/chat/profiles/alpha-stacked?registry=${OWN_REGISTRY}`)).json();
    const expected = {
      registry: OWN_REGISTRY,
      profile: 'alpha-stacked',
      type: 'stack.changed',
      affected: [{ registry: OWN_REGISTRY, profile: 'alpha-stacked', profile_version: stacked.metadata.version, fingerprint: stacked.fingerprint }],
    };
    const [message] = await sse.waitFor(1);
    sse.close();
    expect(message.data).not.toMatch(OTHER_NAMES);
    expect(JSON.parse(message.data)).toEqual({ position: Number(message.id?.split(':').at(-1)), ...expected });
    for (const url of [`/api/watch?registry=${OWN_REGISTRY}&after=${after}`, `/api/watch?after=${after}`]) {
      const polled = await call('reader@team-a', 'GET', url, undefined, { accept: 'application/json' });
      expect(polled.body).not.toMatch(OTHER_NAMES);
      expect(polled.json().changes).toEqual([{ position: Number(message.id?.split(':').at(-1)), ...expected }]);
    }
    // a watcher who may read both still gets the change as it happened
    const full = await call('reader', 'GET', `/api/watch?registry=${OWN_REGISTRY}&after=${after}`, undefined, { accept: 'application/json' });
    expect(full.json().changes).toMatchObject([{ registry: OTHER_REGISTRY, profile: 'bravo-layer', type: 'profile.updated' }]);
  });

  it('lets only an unlimited admin change schemas, so a refused schema change tells a limited admin nothing', async () => {
    await ok('admin', 'PUT', '/api/chat/schemas/middlewares/guard', { version: 1, schema: { type: 'object' } });
    await ok('admin', 'PATCH', `/api/chat/profiles/bravo-layer?registry=${OTHER_REGISTRY}`, { runtime: { middlewares: [{ name: 'guard', config: { key: 'k' } }] } });
    await ok('admin', 'PATCH', `/api/chat/profiles/base?registry=${OWN_REGISTRY}`, { runtime: { middlewares: [{ name: 'guard', config: { key: 'k' } }] } });
    // the oracle: a pattern that breaks team-b's profile only when it matches its value
    const guess = { version: 1, schema: { type: 'object', properties: { key: { type: 'string', pattern: '^x' } } } };
    const full = await call('admin', 'PUT', '/api/chat/schemas/middlewares/guard', guess);
    expect(full.statusCode).toBe(409);
    expect(full.json().profiles.map((each: { registry: string; slug: string }) => `${each.registry}/${each.slug}`).sort()).toEqual([
      'team-a/base',
      'team-b/bravo-layer',
    ]);
    for (const [method, payload] of [['PUT', guess], ['PUT', { ...guess, force: true }], ['DELETE', undefined]] as const) {
      const limited = await call('admin@team-a', method, '/api/chat/schemas/middlewares/guard', payload);
      expect(limited.statusCode, limited.body).toBe(403);
      expect(limited.body).not.toMatch(OTHER_NAMES);
    }
    const versions = async () => (await ok('reader', 'GET', '/api/chat/schemas/middlewares/guard/history')).json().versions.length;
    expect(await versions()).toBe(1);
    // an import may carry schemas along unchanged, never change them
    const exported = (await call('admin@team-a', 'GET', `/api/registries/${OWN_REGISTRY}/export`, undefined, { accept: 'application/json' })).json();
    const reimported = await call('admin@team-a', 'POST', `/api/registries/${OWN_REGISTRY}/import`, exported);
    expect(reimported.statusCode, reimported.body).toBe(200);
    exported.schemas.middlewares[0].schema = { type: 'object', description: 'changed' };
    const changing = await call('admin@team-a', 'POST', `/api/registries/${OWN_REGISTRY}/import`, exported);
    expect(changing.statusCode).toBe(403);
    // an unlimited admin forces it: the history a limited token reads lists only its own broken profile
    await ok('admin', 'PUT', '/api/chat/schemas/middlewares/guard', { ...guess, force: true });
    const history = (token: ScopedCaller) => call(token, 'GET', '/api/chat/schemas/middlewares/guard/history');
    const limitedHistory = await history('reader@team-a');
    expect(limitedHistory.body).not.toMatch(OTHER_NAMES);
    expect(limitedHistory.json().versions[0].forced.broken).toEqual([expect.objectContaining({ registry: OWN_REGISTRY, profile: 'base' })]);
    expect((await history('reader')).json().versions[0].forced.broken).toHaveLength(2);
    expect(await versions()).toBe(2);
  });

  it('keeps an Idempotency-Key to its caller: another token with the same key makes a request of its own', async () => {
    const create = (caller: ScopedCaller, slug: string) =>
      call(caller, 'POST', '/api/chat/profiles', { registry: OWN_REGISTRY, slug }, { 'idempotency-key': 'shared-key' });
    const first = await create('editor', 'idem-one');
    expect(first.statusCode).toBe(201);
    const replay = await create('editor', 'idem-one');
    expect([replay.statusCode, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
    // the same key and request from someone else: not the stored answer, a request of its own
    const same = await create('admin', 'idem-one');
    expect(same.statusCode).toBe(409);
    expect(same.headers['idempotent-replayed']).toBeUndefined();
    const other = await create('editor@team-a', 'idem-two');
    expect(other.statusCode).toBe(201);
    expect(other.json().slug).toBe('idem-two');
  });

  it('preflights every method and request header of the API for a configured origin', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chat/profiles/x',
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type,if-match,if-none-match,idempotency-key,last-event-id,x-actor',
      },
    });
    expect(preflight.statusCode).toBe(204);
    const methods = String(preflight.headers['access-control-allow-methods']).split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));
    const headers = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    expect(headers).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'last-event-id', 'x-actor']),
    );
  });

  it('frees the place of an aborted long poll at once', async () => {
    const poll = (wait: number) => {
      let abort = () => {};
      const each: { status: Promise<number>; settled?: number; abort: () => void } = {
        status: new Promise<number>((resolve) => {
          const req = request(
            `${base}/api/watch?wait=${wait}`,
            { headers: { ...tokens.bearer('reader@team-a'), accept: 'application/json' } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', () => resolve(0));
          req.end();
          abort = () => req.destroy();
        }),
        abort: () => abort(),
      };
      void each.status.then((status) => (each.settled = status));
      return each;
    };
    let open = [poll(50), poll(50)];
    // both places taken: a third is refused while they wait. The two polls take their places once
    // the server has read the head (slow under load); a probe that arrives between them holds a
    // place for a moment and may turn the second away (429): that one is opened again
    const placesTaken = Date.now();
    let third = 0;
    while (Date.now() - placesTaken < 12_000) {
      open = open.map((each) => (each.settled === 429 ? poll(50) : each));
      third = await poll(0).status;
      if (third === 429 && open.every((each) => each.settled === undefined)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(third).toBe(429);
    const started = Date.now();
    for (const each of open) each.abort();
    let again = await poll(0).status;
    while (again === 429 && Date.now() - started < 2000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await poll(0).status;
    }
    expect(again).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
