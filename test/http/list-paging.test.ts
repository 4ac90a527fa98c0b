import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { OTHER_REGISTRY, OWN_REGISTRY, writeScopedTokens, type ScopedCaller, type ScopedTokens } from '../support/scoped-tokens.js';
import { storeFingerprint } from '../support/store-fingerprint.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

/**
 * Lists at scale (API.md; issue 26): the profile and registry lists page with `limit` and an
 * opaque `cursor` in a stable order and search with `q`; without them the bare arrays stay.
 */
interface Page {
  items: { registry?: string; slug: string }[];
  next_cursor: string | null;
}

describeEachBackend('paged and searched lists (%s)', (backend) => {
  let t: TestApp;
  let tokens: ScopedTokens;
  const dir = tempDir();

  const get = (caller: ScopedCaller, url: string) => t.app.inject({ method: 'GET', url, headers: tokens.bearer(caller) });
  const ok = async (caller: ScopedCaller, method: 'POST' | 'GET', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: tokens.bearer(caller) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  };
  /** Every page of a list, following next_cursor to the end. */
  const walk = async (caller: ScopedCaller, path: string, query: Record<string, string>) => {
    const items: Page['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params = new URLSearchParams({ ...query, ...(cursor === null ? {} : { cursor }) });
      const page = (await ok(caller, 'GET', `${path}?${params.toString()}`)) as Page;
      expect(Object.keys(page).sort()).toEqual(['items', 'next_cursor']);
      items.push(...page.items);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    return { items, pages };
  };
  const names = (items: Page['items']) => items.map((item) => `${item.registry ?? ''}/${item.slug}`);

  beforeAll(async () => {
    tokens = writeScopedTokens(dir.dir);
    t = await openTestApp(backend, {}, { authTokensFile: tokens.file });
    await ok('admin', 'POST', '/api/registries', { slug: OWN_REGISTRY, display_name: 'Alpha team', description: 'Finance desk' });
    await ok('admin', 'POST', '/api/registries', { slug: OTHER_REGISTRY, display_name: 'Bravo team' });
    const create = (registry: string, slug: string, extra: object = {}) => ok('admin', 'POST', '/api/chat/profiles', { registry, slug, ...extra });
    await create(OWN_REGISTRY, 'analyst', { display_name: 'Quarterly Reports', metadata: { tags: ['finance'] } });
    await create(OWN_REGISTRY, 'reader', { description: 'Reads the LOGS' });
    await create(OWN_REGISTRY, 'coder', { runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini' } } } });
    for (const slug of ['d1', 'd2', 'd3', 'd4']) await create(OWN_REGISTRY, slug);
    await create(OTHER_REGISTRY, 'analyst', { description: 'the other desk' });
    await create(OTHER_REGISTRY, 'bravo-coder');
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('walks the profiles page by page, in slug then registry order, to exactly the unpaged list', async () => {
    const all = (await ok('admin', 'GET', '/api/chat/profiles')) as Page['items'];
    expect(Array.isArray(all)).toBe(true); // without limit, cursor or q: the bare array, as pinocchio reads it
    expect(all).toHaveLength(9);
    const walked = await walk('admin', '/api/chat/profiles', { limit: '2' });
    expect(walked.pages).toBe(5);
    expect(walked.items).toEqual(all);
    expect(names(walked.items).slice(0, 3)).toEqual([`${OWN_REGISTRY}/analyst`, `${OTHER_REGISTRY}/analyst`, `${OTHER_REGISTRY}/bravo-coder`]);

    const one = (await ok('admin', 'GET', `/api/chat/profiles?registry=${OWN_REGISTRY}`)) as Page['items'];
    expect((await walk('admin', '/api/chat/profiles', { registry: OWN_REGISTRY, limit: '3' })).items).toEqual(one);
    const last = (await ok('admin', 'GET', `/api/chat/profiles?registry=${OWN_REGISTRY}&limit=1000`)) as Page;
    expect(last.next_cursor).toBeNull();
    expect(last.items).toEqual(one);
  });

  it('finds profiles by slug, display name, tag, model and description, in any case', async () => {
    const found = async (q: string, registry?: string) =>
      names((await walk('admin', '/api/chat/profiles', { q, ...(registry ? { registry } : {}) })).items);
    expect(await found('QUARTERLY')).toEqual([`${OWN_REGISTRY}/analyst`]);
    expect(await found('finance')).toEqual([`${OWN_REGISTRY}/analyst`]);
    expect(await found('gpt-4O')).toEqual([`${OWN_REGISTRY}/coder`]);
    expect(await found('logs')).toEqual([`${OWN_REGISTRY}/reader`]);
    expect(await found('coder')).toEqual([`${OTHER_REGISTRY}/bravo-coder`, `${OWN_REGISTRY}/coder`]);
    expect(await found('coder', OWN_REGISTRY)).toEqual([`${OWN_REGISTRY}/coder`]);
    expect(await found('nothing like it')).toEqual([]);
    // a search pages too
    const first = (await ok('admin', 'GET', '/api/chat/profiles?q=d&limit=2')) as Page;
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
  });

  it('shows a token limited to one registry only that registry, in pages and searches', async () => {
    const profiles = await walk('reader@team-a', '/api/chat/profiles', { limit: '1' });
    expect(profiles.items.length).toBe(7);
    expect(profiles.items.every((item) => item.registry === OWN_REGISTRY)).toBe(true);
    expect(names((await walk('reader@team-a', '/api/chat/profiles', { q: 'analyst' })).items)).toEqual([`${OWN_REGISTRY}/analyst`]);
    expectProblem(await get('reader@team-a', `/api/chat/profiles?registry=${OTHER_REGISTRY}&limit=5`), 404, 'registry not found');
    expect(names((await walk('reader@team-a', '/api/registries', { q: 'team' })).items)).toEqual([`/${OWN_REGISTRY}`]);
    const registries = await walk('reader@team-a', '/api/registries', { limit: '1' });
    expect(registries.items.map((item) => item.slug)).toEqual([OWN_REGISTRY]);
  });

  it('pages and searches the registries; the unpaged list stays an array', async () => {
    const all = (await ok('admin', 'GET', '/api/registries')) as Page['items'];
    expect(Array.isArray(all)).toBe(true);
    expect((await walk('admin', '/api/registries', { limit: '1' })).items).toEqual(all);
    expect((await walk('admin', '/api/registries', { q: 'FINANCE' })).items.map((item) => item.slug)).toEqual([OWN_REGISTRY]);
    expect((await walk('admin', '/api/registries', { q: 'bravo team' })).items.map((item) => item.slug)).toEqual([OTHER_REGISTRY]);
  });

  it('refuses a bad cursor or limit with a problem, and changes nothing', async () => {
    const before = await storeFingerprint(t.store.db);
    for (const path of ['/api/chat/profiles', '/api/registries']) {
      expectProblem(await get('admin', `${path}?cursor=not-a-cursor`), 400, /cursor/);
      expectProblem(await get('admin', `${path}?cursor=${Buffer.from('{"a":1}').toString('base64url')}`), 400, /cursor/);
      for (const limit of ['0', '1001', 'ten', '-1']) expectProblem(await get('admin', `${path}?limit=${limit}`), 400, /limit/);
    }
    expectProblem(await get('admin', '/api/chat/profiles?limit=2&contains={}'), 400, /contains/);
    expect(await storeFingerprint(t.store.db)).toBe(before);
  });

  it('documents limit, cursor and q and both answers in OpenAPI', async () => {
    const spec = (await ok('admin', 'GET', '/openapi.json')) as { paths: Record<string, { get: { parameters: { name: string }[]; responses: Record<string, any> } }> };
    for (const path of ['/api/chat/profiles', '/api/registries']) {
      const operation = spec.paths[path]!.get;
      expect(operation.parameters.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'q']));
      expect(JSON.stringify(operation.responses['200'])).toContain('next_cursor');
    }
  });
});
