import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/** Sends a write that must be refused with this status and detail, and leave the store as it was. */
const expectRefused = async (t: TestApp, request: InjectOptions, status: number, detail: string | RegExp) => {
  const before = await storeSnapshot(t.store.db);
  const body = expectProblem(await t.app.inject(request), status, detail);
  expect(await storeSnapshot(t.store.db)).toEqual(before);
  return body;
};

describeEachBackend('error mapping on %s', (backend) => {
  let t: TestApp;

  const refused = (request: InjectOptions, status: number, detail: string | RegExp) => expectRefused(t, request, status, detail);

  beforeAll(async () => {
    t = await openTestApp(backend);
    await seedDefaultRegistry(t.store);
    const setup: InjectOptions[] = [
      { method: 'POST', url: '/api/chat/profiles', payload: { slug: 'analyst', runtime: { system_prompt: 'You are an analyst' } } },
      { method: 'POST', url: '/api/chat/profiles', payload: { slug: 'locked', policy: { read_only: true } } },
    ];
    for (const request of setup) expect((await t.app.inject(request)).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('refuses a bad profile slug with 400', async () => {
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'bad slug' } }, 400, 'invalid profile slug');
    await refused({ method: 'PATCH', url: '/api/chat/profiles/-bad', payload: { description: 'x' } }, 400, 'invalid profile slug');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles/bad%20slug' }), 400, 'invalid profile slug');
  });

  it('refuses a bad registry slug with 400', async () => {
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'Bad Registry', slug: 'x' } }, 400, 'invalid registry');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=-x' }), 400, 'invalid registry');
  });

  it('refuses writes to a read-only profile with 403', async () => {
    const detail = 'policy violation for profile "locked": profile is read-only';
    await refused({ method: 'PATCH', url: '/api/chat/profiles/locked', payload: { description: 'x' } }, 403, detail);
    await refused({ method: 'PATCH', url: '/api/chat/profiles/locked', payload: { policy: { read_only: false } } }, 403, detail);
    await refused({ method: 'DELETE', url: '/api/chat/profiles/locked' }, 403, detail);
  });

  it('refuses a stale expected_version with 409 and the current version', async () => {
    const body = await refused(
      { method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { description: 'x', expected_version: 999 } },
      409,
      'profile "analyst" version conflict: expected=999 actual=1',
    );
    expect(body.current_version).toBe(1);
    await refused(
      { method: 'DELETE', url: '/api/chat/profiles/analyst?expected_version=999' },
      409,
      'profile "analyst" version conflict: expected=999 actual=1',
    );
  });

  it('refuses a bad expected_version with 400', async () => {
    const detail = 'invalid expected_version';
    await refused({ method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { description: 'x', expected_version: 'abc' } }, 400, detail);
    await refused({ method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { description: 'x', expected_version: 1.5 } }, 400, detail);
    await refused({ method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { description: 'x', expected_version: -1 } }, 400, detail);
    await refused({ method: 'DELETE', url: '/api/chat/profiles/analyst?expected_version=abc' }, 400, detail);
    await refused({ method: 'POST', url: '/api/chat/profiles/analyst/default', payload: { expected_version: 'abc' } }, 400, detail);
    await refused({ method: 'DELETE', url: '/api/registries/default?expected_version=abc' }, 400, detail);
  });

  it('refuses a bad extension key with 400 naming the field', async () => {
    const body = await refused(
      { method: 'POST', url: '/api/chat/profiles', payload: { slug: 'ext', extensions: { 'vendor-custom': {} } } },
      400,
      'validation error (extensions.vendor-custom): invalid extension key',
    );
    expect(body.errors).toEqual([{ path: 'extensions.vendor-custom', message: 'invalid extension key' }]);
    await refused(
      { method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { extensions: { 'a.b@v0': 1 } } },
      400,
      'validation error (extensions.a.b@v0): invalid extension key',
    );
  });

  it('refuses other invalid fields with 400 naming the field', async () => {
    await refused(
      { method: 'POST', url: '/api/chat/profiles', payload: { slug: 'v', runtime: { tools: [''] } } },
      400,
      'validation error (runtime.tools[0]): must not be blank',
    );
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'v', colour: 'red' } }, 400, 'validation error (colour): unknown field');
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: ['slug'] }, 400, 'validation error (body): must be a JSON object');
  });

  it('answers 404 for an unknown registry or profile', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=missing' }), 404, 'registry not found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles/analyst?registry=missing' }), 404, 'registry not found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles/ghost' }), 404, 'profile not found');
    await refused({ method: 'POST', url: '/api/chat/profiles?registry=missing', payload: { slug: 'x' } }, 404, 'registry not found');
    await refused({ method: 'PATCH', url: '/api/chat/profiles/ghost', payload: { description: 'x' } }, 404, 'profile not found');
    await refused({ method: 'DELETE', url: '/api/chat/profiles/ghost' }, 404, 'profile not found');
    await refused({ method: 'POST', url: '/api/chat/profiles/ghost/default', payload: {} }, 404, 'profile not found');
  });

  it('refuses to create a live slug again with 409', async () => {
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { slug: ' Analyst' } }, 409, 'profile "analyst" already exists');
  });

  it('refuses to delete the default profile while others remain with 409', async () => {
    await refused(
      { method: 'DELETE', url: '/api/chat/profiles/default' },
      409,
      'cannot delete default profile "default" while other profiles remain; set another default first',
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/chat/profiles/default' })).json().is_default).toBe(true);
  });

  it('refuses malformed JSON with 400', async () => {
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload: '{"slug": "x",' },
      400,
      /^malformed JSON body/,
    );
    await refused(
      { method: 'PATCH', url: '/api/chat/profiles/analyst', headers: { 'content-type': 'application/json' }, payload: '{description}' },
      400,
      /^malformed JSON body/,
    );
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const payload = JSON.stringify({ slug: 'big', description: 'x'.repeat(1024 * 1024) });
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/json' }, payload },
      413,
      'request body is larger than the limit',
    );
  });

  it('refuses a body that is not JSON with 415', async () => {
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'text/plain' }, payload: 'slug=x' },
      415,
      'request body must be application/json',
    );
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'slug=x' },
      415,
      'request body must be application/json',
    );
  });

  it('refuses a NUL character anywhere in a body with 400 naming the field', async () => {
    await refused(
      { method: 'POST', url: '/api/chat/profiles', payload: { slug: 'nul', description: 'a\u0000b' } },
      400,
      'validation error (description): must not contain NUL characters',
    );
    await refused(
      { method: 'PATCH', url: '/api/chat/profiles/analyst', payload: { extensions: { 'a.b@v1': { list: ['ok', { 'k\u0000': 1 }] } } } },
      400,
      'validation error (extensions.a.b@v1.list[1].k\u0000): must not contain NUL characters',
    );
  });

  it('refuses unpaired surrogates with 400 naming the field', async () => {
    const headers = { 'content-type': 'application/json' };
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers, payload: '{"slug":"sur","description":"x\\ud800y"}' },
      400,
      'validation error (description): must be valid Unicode (unpaired surrogate)',
    );
    await refused(
      { method: 'POST', url: '/api/chat/profiles', headers, payload: '{"slug":"sur","metadata":{"tags":["\\udc00"]}}' },
      400,
      'validation error (metadata.tags[0]): must be valid Unicode (unpaired surrogate)',
    );
    const emoji = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers, payload: '{"slug":"emoji","description":"\\ud83d\\ude00"}' });
    expect(emoji.json().description).toBe('😀');
  });

  it('refuses nesting deeper than 100 levels with 400 naming the field', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = (slug: string, depth: number) => `{"slug":"${slug}","extensions":{"a.b@v1":${nested(depth)}}}`;
    const headers = { 'content-type': 'application/json' };
    for (const depth of [99, 5000]) {
      const refusal = await refused({ method: 'POST', url: '/api/chat/profiles', headers, payload: body('deep', depth) }, 400, /nested/);
      expect(refusal.detail).toBe(`validation error (extensions.a.b@v1${'[0]'.repeat(98)}): must not be nested more than 100 levels deep`);
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers, payload: body('deep', 98) })).statusCode).toBe(201);
  });

  it('serves a 128-character slug in the path', async () => {
    const slug = `l${'o'.repeat(126)}g`;
    expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}` })).json().slug).toBe(slug);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/chat/profiles/${slug.toUpperCase()}`, payload: { description: 'long' } });
    expect(patched.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/chat/profiles/${slug}?expected_version=2` })).statusCode).toBe(204);
    await refused({ method: 'PATCH', url: `/api/chat/profiles/${slug}x`, payload: { description: 'x' } }, 400, 'invalid profile slug');
  });

  it('answers a malformed or overlong path with problem+json', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${'x'.repeat(5000)}` }), 414, 'a path segment is longer than the limit');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles/%E0%A4%A' }), 400, 'malformed URL');
  });

  it('answers 404 for an unknown route', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/nope?x=1' }), 404, 'route GET /api/nope not found');
    await refused({ method: 'POST', url: '/api/chat/profiles/analyst/nope', payload: {} }, 404, 'route POST /api/chat/profiles/analyst/nope not found');
  });
});

describeEachBackend('registry routes on %s', (backend) => {
  let t: TestApp;
  const refused = (request: InjectOptions, status: number, detail: string | RegExp) => expectRefused(t, request, status, detail);

  beforeAll(async () => {
    t = await openTestApp(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('creates, reads, lists, patches and deletes a registry', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: ' Team ', display_name: 'Team' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/api/registries/team');
    expect(created.json()).toMatchObject({ slug: 'team', display_name: 'Team', profiles: {}, metadata: { version: 1 } });

    for (const slug of ['alpha', 'beta']) {
      const profile = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug } });
      expect(profile.statusCode).toBe(201);
    }
    const got = await t.app.inject({ method: 'GET', url: '/api/registries/team' });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ slug: 'team', default_profile_slug: 'alpha', metadata: { version: 4 } });
    expect(Object.keys(got.json().profiles)).toEqual(['alpha', 'beta']);

    const list = await t.app.inject({ method: 'GET', url: '/api/registries' });
    expect(list.json().map((r: { slug: string; profile_count: number }) => [r.slug, r.profile_count])).toEqual([
      ['default', 1],
      ['team', 2],
    ]);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/registries/team',
      payload: { default_profile_slug: 'beta', description: 'The team', expected_version: 4 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ default_profile_slug: 'beta', description: 'The team', metadata: { version: 6 } });
    const beta = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/beta?registry=team' });
    expect(beta.json().is_default).toBe(true);

    await refused(
      { method: 'PATCH', url: '/api/registries/team', payload: { display_name: 'x', expected_version: 4 } },
      409,
      'registry "team" version conflict: expected=4 actual=6',
    );
    await refused({ method: 'PATCH', url: '/api/registries/team', payload: { default_profile_slug: 'ghost' } }, 404, 'profile not found');
    await refused(
      { method: 'PATCH', url: '/api/registries/team', payload: { default_profile_slug: null } },
      409,
      'a registry with profiles must keep a default profile',
    );
    await refused({ method: 'DELETE', url: '/api/registries/team?expected_version=5' }, 409, 'registry "team" version conflict: expected=5 actual=6');

    expect((await t.app.inject({ method: 'DELETE', url: '/api/registries/team?expected_version=6' })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/registries/team' }), 404, 'registry not found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=team' }), 404, 'registry not found');
    expect((await t.app.inject({ method: 'GET', url: '/api/registries' })).json().map((r: { slug: string }) => r.slug)).toEqual(['default']);
  });

  it('answers 304 to a current If-None-Match and 412 to a stale If-Match on a registry', async () => {
    const read = await t.app.inject({ method: 'GET', url: '/api/registries/default' });
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^"r\d+"$/);
    const notModified = await t.app.inject({ method: 'GET', url: '/api/registries/default', headers: { 'if-none-match': etag } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');

    const changed = await t.app.inject({ method: 'PATCH', url: '/api/registries/default', headers: { 'if-match': etag }, payload: { description: 'first' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    await refused({ method: 'PATCH', url: '/api/registries/default', headers: { 'if-match': etag }, payload: { description: 'second' } }, 412, /If-Match/);
    await refused({ method: 'DELETE', url: '/api/registries/default', headers: { 'if-match': etag } }, 412, /If-Match/);
    const fresh = await t.app.inject({ method: 'GET', url: '/api/registries/default', headers: { 'if-none-match': etag } });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().description).toBe('first');
  });

  it('refuses bad registry writes and leaves the store unchanged', async () => {
    await refused({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } }, 409, 'registry "default" already exists');
    await refused({ method: 'POST', url: '/api/registries', payload: { slug: 'bad slug' } }, 400, 'invalid registry');
    await refused({ method: 'POST', url: '/api/registries', payload: { slug: 'x', profiles: {} } }, 400, 'validation error (profiles): unknown field');
    await refused({ method: 'PATCH', url: '/api/registries/missing', payload: { display_name: 'x' } }, 404, 'registry not found');
    await refused({ method: 'DELETE', url: '/api/registries/missing' }, 404, 'registry not found');
    await refused({ method: 'DELETE', url: '/api/registries/default' }, 409, 'the default registry cannot be deleted');
  });
});

describeEachBackend('failures of the database on %s', (backend) => {
  it('answers 500 and 503 as problem+json without internals', async () => {
    const t = await openTestApp(backend);
    try {
      await seedDefaultRegistry(t.store);
      await t.store.db.close();
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/chat/profiles/default' }), 500, 'internal error');
      expectProblem(await t.app.inject({ method: 'GET', url: '/readyz' }), 503, 'database not reachable');
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    } finally {
      await t.close();
    }
  });
});
