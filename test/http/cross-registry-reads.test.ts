import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { postgresAvailable } from '../support/postgres.js';
import { expectProblem } from '../support/problem-assertions.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, steppingClock, type Backend, type TestApp } from '../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

type Json = Record<string, unknown>;
interface Summary {
  registry: string;
  slug: string;
  description?: string;
  version: number;
}

/**
 * Reads that name no registry, as pinocchio's newest handlers answer them (API.md, Profiles):
 * lists cover every live registry, a profile is read from the default registry when it is there,
 * else from the first registry in slug order that holds it; writes still go to the default.
 */
describe.each(backends)('profile reads across registries on %s', (backend) => {
  let t: TestApp;
  /** Times of the writes below (the clock moves one second per reading). */
  const times: Record<string, number> = {};

  const send = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) => {
    const response = await t.app.inject({ method, url, payload });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response;
  };
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const listed = async (url: string) => {
    const response = await get(url);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as Summary[]).map((item) => `${item.slug}@${item.registry}`);
  };
  const newestEventTime = async (): Promise<number> => {
    const row = await t.store.db.get<{ at: number | string }>('SELECT MAX(occurred_at_ms) AS at FROM events');
    return Number(row?.at);
  };

  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
    await seedDefaultRegistry(t.store);
    for (const slug of ['zulu', 'alpha', 'gone']) await send('POST', '/api/registries', { slug });
    for (const registry of ['zulu', 'default', 'alpha']) {
      await send('POST', '/api/chat/profiles', { registry, slug: 'analyst', description: `analyst of ${registry}` });
    }
    await send('POST', '/api/chat/profiles', { registry: 'zulu', slug: 'writer', description: 'zulu v1' });
    times.writerInZulu = await newestEventTime();
    await send('POST', '/api/chat/profiles', { registry: 'alpha', slug: 'writer', description: 'alpha v1' });
    times.writerInAlpha = await newestEventTime();
    await send('PATCH', '/api/chat/profiles/writer?registry=alpha', { description: 'alpha v2' });
    await send('POST', '/api/chat/profiles', { registry: 'zulu', slug: 'solo', description: 'only in zulu' });
    await send('POST', '/api/chat/profiles', { registry: 'gone', slug: 'ghost' });
    await send('DELETE', '/api/registries/gone');
  });
  afterAll(async () => t?.close());

  it('lists the profiles of every live registry, each with its registry, by slug then registry', async () => {
    const response = await get('/api/chat/profiles');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const items = response.json() as Summary[];
    expect(items.map((item) => `${item.slug}@${item.registry}`)).toEqual([
      'analyst@alpha',
      'analyst@default',
      'analyst@zulu',
      'default@default',
      'solo@zulu',
      'writer@alpha',
      'writer@zulu',
    ]);
    expect(items[0]).toMatchObject({ registry: 'alpha', slug: 'analyst', description: 'analyst of alpha', version: 1 });
    expect(items.find((item) => item.slug === 'writer' && item.registry === 'alpha')).toMatchObject({ description: 'alpha v2', version: 2 });
  });

  it('lists one registry with ?registry=, and refuses one that does not exist', async () => {
    expect(await listed('/api/chat/profiles?registry=zulu')).toEqual(['analyst@zulu', 'solo@zulu', 'writer@zulu']);
    expect(await listed('/api/chat/profiles?registry=default')).toEqual(['analyst@default', 'default@default']);
    expectProblem(await get('/api/chat/profiles?registry=gone'), 404, 'registry not found');
  });

  it('reads a profile from the default registry when it is there, else from the first registry in slug order', async () => {
    expect((await get('/api/chat/profiles/analyst')).json()).toMatchObject({ registry: 'default', description: 'analyst of default' });
    // alpha sorts before zulu, though zulu had it first
    const writer = await get('/api/chat/profiles/writer');
    expect(writer.json()).toMatchObject({ registry: 'alpha', description: 'alpha v2' });
    expect(writer.headers.etag).toBe((await get('/api/chat/profiles/writer?registry=alpha')).headers.etag);
    expect((await get('/api/chat/profiles/solo')).json()).toMatchObject({ registry: 'zulu' });
    expect((await get('/api/chat/profiles/analyst?registry=zulu')).json()).toMatchObject({ registry: 'zulu' });
    expectProblem(await get('/api/chat/profiles/ghost'), 404, 'profile not found');
    expectProblem(await get('/api/chat/profiles/nobody'), 404, 'profile not found');
    expectProblem(await get('/api/chat/profiles/solo?registry=alpha'), 404, 'profile not found');
  });

  it('reads the past the same way: the first registry that held the profile at that point', async () => {
    const v1 = await get('/api/chat/profiles/writer?version=1');
    expect(v1.statusCode, v1.body).toBe(200);
    expect(v1.json()).toMatchObject({ registry: 'alpha', description: 'alpha v1' });
    // before alpha had a writer, zulu's answers
    const before = await get(`/api/chat/profiles/writer?as_of=${times.writerInAlpha - 1}`);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({ registry: 'zulu', description: 'zulu v1' });
    expect((await get(`/api/chat/profiles/writer?as_of=${times.writerInAlpha}`)).json()).toMatchObject({ registry: 'alpha' });
    expectProblem(await get(`/api/chat/profiles/writer?as_of=${times.writerInZulu - 1}`), 404, 'profile not found');
    expectProblem(await get('/api/chat/profiles/writer?version=7'), 404, 'profile version 7 not found');
    expectProblem(await get('/api/chat/profiles/nobody?version=1'), 404, 'profile not found');
  });

  it('reads history and diffs from the registry a current read answers from', async () => {
    const history = await get('/api/chat/profiles/writer/history');
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json()).toMatchObject({ registry: 'alpha', profile: 'writer' });
    expect(history.json().versions.map((entry: { version: number }) => entry.version)).toEqual([2, 1]);
    const diff = await get('/api/chat/profiles/writer/diff?from=1&to=2');
    expect(diff.json()).toEqual({ from: 1, to: 2, changes: [{ op: 'replace', path: '/description', value: 'alpha v2' }] });
    expect((await get('/api/chat/profiles/solo/history')).json()).toMatchObject({ registry: 'zulu' });
    expectProblem(await get('/api/chat/profiles/nobody/history'), 404, 'profile not found');
  });

  it('sends writes without a registry to the default registry, and refuses them there without touching the others', async () => {
    const before = await storeSnapshot(t.store.db);
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/solo', payload: { description: 'x' } }), 404, 'profile not found');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/writer' }), 404, 'profile not found');
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const created = await send('POST', '/api/chat/profiles', { slug: 'writer', description: 'default v1' });
    expect(created.json()).toMatchObject({ registry: 'default' });
    // the lists and the unnamed read see the write at once (SQLite serves them from memory until a commit)
    expect(await listed('/api/chat/profiles')).toContain('writer@default');
    expect((await get('/api/chat/profiles/writer')).json()).toMatchObject({ registry: 'default', description: 'default v1' });
    expect((await get('/api/chat/profiles/writer/history')).json()).toMatchObject({ registry: 'default' });

    await send('DELETE', '/api/chat/profiles/writer');
    await send('DELETE', '/api/chat/profiles/writer?registry=alpha');
    expect((await get('/api/chat/profiles/writer')).json()).toMatchObject({ registry: 'zulu', description: 'zulu v1' });
    expect(await listed('/api/chat/profiles')).toEqual([
      'analyst@alpha',
      'analyst@default',
      'analyst@zulu',
      'default@default',
      'solo@zulu',
      'writer@zulu',
    ]);
  });
});
