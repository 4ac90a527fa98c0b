import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentSql, listContainingProfiles } from '../../src/projections/profile-containment.js';
import { postgresAvailable } from '../support/postgres.js';
import { expectProblem } from '../support/problem-assertions.js';
import { openTestApp, type Backend, type TestApp } from '../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

const PROFILES = [
  {
    registry: 'crew',
    slug: 'alpha',
    runtime: { system_prompt: 'terse', tools: ['search', 'fetch'], middlewares: [{ name: 'retry', enabled: true, config: { max: 3 } }] },
    policy: { read_only: true },
    extensions: { 'acme.team@v1': { name: 'core', size: 3, lead: null } },
  },
  {
    registry: 'crew',
    slug: 'beta',
    description: 'second',
    runtime: { tools: ['search'], middlewares: [{ name: 'retry', enabled: false, config: { max: 5 } }] },
    policy: { allow_overrides: false },
    extensions: { 'acme.team@v1': { name: 'edge', size: 3.0 } },
  },
  { registry: 'other', slug: 'gamma', runtime: { tools: [] }, policy: { allow_overrides: true }, extensions: { 'acme.flags@v1': [1, 2, [3]] } },
];

/** [?contains= value, registry or none, the registry/slug of each profile listed, in order] */
const CASES: [unknown, string | undefined, string[]][] = [
  [{}, undefined, ['crew/alpha', 'crew/beta', 'other/gamma']],
  [{}, 'crew', ['crew/alpha', 'crew/beta']],
  [{ runtime: { tools: ['search'] } }, undefined, ['crew/alpha', 'crew/beta']],
  [{ runtime: { tools: ['fetch', 'search'] } }, undefined, ['crew/alpha']],
  [{ runtime: { tools: 'search' } }, undefined, []],
  [{ runtime: { tools: [] } }, 'other', ['other/gamma']],
  [{ policy: { read_only: true } }, undefined, ['crew/alpha']],
  [{ policy: { allow_overrides: false, read_only: false } }, undefined, ['crew/beta']],
  [{ runtime: { middlewares: [{ name: 'retry', enabled: false }] } }, undefined, ['crew/beta']],
  [{ runtime: { middlewares: [{ config: { max: 3 } }] } }, undefined, ['crew/alpha']],
  [{ extensions: { 'acme.team@v1': { size: 3 } } }, 'crew', ['crew/alpha', 'crew/beta']],
  [{ extensions: { 'acme.team@v1': { size: '3' } } }, 'crew', []],
  [{ extensions: { 'acme.team@v1': { lead: null } } }, undefined, ['crew/alpha']],
  [{ extensions: { 'acme.team@v1': { missing: null } } }, undefined, []],
  [{ extensions: { 'acme.flags@v1': [[3], 2] } }, undefined, ['other/gamma']],
  [{ extensions: { 'acme.flags@v1': 3 } }, undefined, []],
  [{ slug: 'beta', description: 'second' }, undefined, ['crew/beta']],
  [{ metadata: { version: 1 } }, 'other', ['other/gamma']],
  ['search', undefined, []],
  [['alpha'], undefined, []],
];

describe.each(backends)('GET /api/chat/profiles?contains= on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    for (const registry of ['crew', 'other']) {
      expect((await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: registry } })).statusCode).toBe(201);
    }
    for (const profile of PROFILES) {
      expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: profile })).statusCode).toBe(201);
    }
  });
  afterAll(async () => t?.close());

  it.each(CASES)('contains=%j registry=%s lists %j', async (query, registry, expected) => {
    const params = new URLSearchParams({ contains: JSON.stringify(query), ...(registry ? { registry } : {}) });
    const response = await t.app.inject({ method: 'GET', url: `/api/chat/profiles?${params}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const listed = response.json() as { registry: string; slug: string; version: number }[];
    expect(listed.map((profile) => `${profile.registry}/${profile.slug}`)).toEqual(expected);
    for (const profile of listed) expect(profile.version).toBe(1);
  });

  it('answers 400 problem+json for a contains that is not JSON, and changes nothing', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=crew' })).body;
    for (const bad of ['{runtime:', "{'a':1}", '']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/chat/profiles?contains=${encodeURIComponent(bad)}` });
      expectProblem(response, 400, /^validation error \(contains\): must be JSON/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=crew' })).body).toBe(before);
  });

  it('answers 404 for a registry that does not exist', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/chat/profiles?registry=nowhere&contains=${encodeURIComponent('{}')}` });
    expectProblem(response, 404, 'registry not found');
  });

  it('follows writes: a profile edited to match is listed, one edited away is not', async () => {
    const url = `/api/chat/profiles?contains=${encodeURIComponent(JSON.stringify({ runtime: { tools: ['fetch'] } }))}`;
    expect((await t.app.inject({ method: 'GET', url })).json().map((p: { slug: string }) => p.slug)).toEqual(['alpha']);
    const listed = async () => (await t.app.inject({ method: 'GET', url })).json().map((p: { slug: string }) => p.slug);
    const setTools = async (tools: string[]) => {
      const response = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/beta?registry=crew', payload: { runtime: { tools } } });
      expect(response.statusCode, response.body).toBe(200);
    };
    await setTools(['fetch']);
    expect(await listed()).toEqual(['alpha', 'beta']);
    await setTools(['search']);
    expect(await listed()).toEqual(['alpha']);
  });

  if (backend === 'postgres') it('is answered through the GIN index (jsonb_path_ops) on profile_documents.profile_jsonb', async () => {
    const plans = await t.store.db.transaction(async (tx) => {
      // a table this small is cheaper to scan: forbid the scan so that the plan shows the index is usable
      await tx.exec('SET LOCAL enable_seqscan = off');
      const query = JSON.stringify({ runtime: { tools: ['search'] } });
      const withoutRegistry = await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${containmentSql(tx, undefined)}`, [query]);
      const withRegistry = await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${containmentSql(tx, 'crew')}`, [query, 'crew']);
      return [withoutRegistry, withRegistry].map((rows) => rows.map((row) => row['QUERY PLAN']).join('\n'));
    });
    // across registries the GIN index finds the rows; within one, the planner may start from the
    // primary key (registry, slug) instead, whichever it estimates cheaper, but never scans the table
    expect(plans[0]).toMatch(/Bitmap Index Scan on profile_documents_profile_path_gin[^\n]*\n\s+Index Cond: \(profile_jsonb @>/);
    expect(plans[1]).not.toMatch(/Seq Scan/);
    const indexes = await t.store.db.all<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'profile_documents_profile_path_gin'",
    );
    // the smaller opclass: one entry per value (hashed with its path), fewer to insert per write
    expect(indexes.map((row) => row.indexdef)).toEqual([expect.stringContaining('USING gin (profile_jsonb jsonb_path_ops)')]);
  });

  if (backend === 'postgres') it("replaces an earlier database's jsonb_ops index on open; containment answers as before", async () => {
    // the index of earlier releases, in place of today's
    await t.store.db.exec(`CREATE INDEX profile_documents_profile_gin ON profile_documents USING GIN (profile_jsonb);
      DROP INDEX profile_documents_profile_path_gin`);
    const reopened = await t.reopen();
    const indexes = await reopened.db.all<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'profile_documents' ORDER BY indexname",
    );
    expect(indexes.map((row) => row.indexname)).toEqual(['profile_documents_pkey', 'profile_documents_profile_path_gin', 'profile_documents_slug']);
    const found = await reopened.db.transaction((tx) => listContainingProfiles(tx, { runtime: { tools: ['search'] } }));
    expect(JSON.parse(found.body.toString()).map((p: { slug: string }) => p.slug)).toEqual(['alpha', 'beta']);
  });
  // (SQLite has no such index: it filters the stored profiles with jsonContains)
});
