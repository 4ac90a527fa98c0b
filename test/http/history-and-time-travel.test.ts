import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { contentOf } from '../support/profile-content.js';
import { roleProfiles } from '../support/role-profiles.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

const apply = (document: Json, changes: Operation[]): Json =>
  fastJsonPatch.applyPatch(structuredClone(document), changes, true, false).newDocument;

describeEachBackend('history, diffs and reads of the past on %s', (backend) => {
  let t: TestApp;
  const start = 1_771_880_000_000;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(start), snapshotEvery: 3 });
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'staff' }, headers: { 'x-actor': 'root' } });
  });
  afterAll(async () => t?.close());

  const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, actor: string, payload?: Json) => {
    const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': actor } });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response;
  };
  const get = async (url: string) => t.app.inject({ method: 'GET', url });

  it('lists every version with its actor, source, time and RFC 6902 changes, and diffs apply', async () => {
    const buyer = roleProfiles().find((role) => role.slug === 'buyer') as Json;
    const url = '/api/chat/profiles/buyer?registry=staff';
    const documents: Json[] = [];
    documents.push((await write('POST', '/api/chat/profiles', 'alice', buyer)).json());
    documents.push((await write('PATCH', url, 'bob', { runtime: { system_prompt: 'You count things' } })).json());
    documents.push((await write('PATCH', url, 'carol', { display_name: 'Buyer', metadata: { tags: ['team-a'] } })).json());
    await write('DELETE', url, 'dave');
    documents.push({});
    documents.push((await write('POST', '/api/chat/profiles', 'erin', { registry: 'staff', slug: 'buyer' })).json());

    const history = await get('/api/chat/profiles/buyer/history?registry=staff');
    expect(history.statusCode).toBe(200);
    const { registry, profile, versions } = history.json();
    expect({ registry, profile }).toEqual({ registry: 'staff', profile: 'buyer' });
    expect(versions.map((v: Json) => [v.version, v.type, v.actor, v.source])).toEqual([
      [5, 'profile.created', 'erin', 'http-api'],
      [4, 'profile.deleted', 'dave', 'http-api'],
      [3, 'profile.updated', 'carol', 'http-api'],
      [2, 'profile.updated', 'bob', 'http-api'],
      [1, 'profile.created', 'alice', 'http-api'],
    ]);
    const oldestFirst = [...versions].reverse();
    let previous: Json = {};
    oldestFirst.forEach((version: Json & { changes: Operation[] }, index: number) => {
      const document = documents[index];
      if (index !== 3) {
        expect(version.at_ms).toBe((document.metadata as Json).updated_at_ms);
        expect(version.fingerprint).toBe(document.fingerprint);
      } else expect(version.fingerprint).toBeNull();
      const next = index === 3 ? {} : contentOf(document);
      expect(apply(previous, version.changes)).toEqual(next);
      previous = next;
    });
    expect(versions[2].changes).toEqual([{ op: 'replace', path: '/display_name', value: 'Buyer' }]);

    const diff = await get('/api/chat/profiles/buyer/diff?registry=staff&from=1&to=3');
    expect(diff.statusCode).toBe(200);
    expect(diff.json().from).toBe(1);
    expect(apply(contentOf(documents[0]), diff.json().changes)).toEqual(contentOf(documents[2]));

    const page = await get('/api/chat/profiles/buyer/history?registry=staff&limit=2&before_version=4');
    expect(page.json().versions.map((v: Json) => v.version)).toEqual([3, 2]);
    // a page holds the same entries as the whole history, the changes of its oldest included
    expect(page.json().versions).toEqual(versions.slice(2, 4));
    expect((await get('/api/chat/profiles/buyer/history?registry=staff&limit=1')).json().versions).toEqual(versions.slice(0, 1));
    expect((await get('/api/chat/profiles/buyer/history?registry=staff&limit=3&before_version=3')).json().versions).toEqual(versions.slice(3));
    expect((await get('/api/chat/profiles/buyer/history?registry=staff&before_version=1')).json().versions).toEqual([]);
    expect((await get('/api/chat/profiles/nobody/history?registry=staff&before_version=3')).statusCode).toBe(404);
    expect((await get('/api/chat/profiles/nobody/diff?registry=staff&from=1&to=2')).statusCode).toBe(404);
    expect((await get('/api/chat/profiles/buyer/diff?registry=staff&from=1&to=9')).statusCode).toBe(404);
    expect((await get('/api/chat/profiles/buyer/diff?registry=staff&from=x&to=2')).statusCode).toBe(400);
    expect((await get('/api/chat/profiles/nobody/history?registry=staff')).statusCode).toBe(404);
  });

  it('answers ?version= and ?as_of= exactly as the reads answered at that moment', async () => {
    await write('POST', '/api/registries', 'root', { slug: 'past' });
    const base = '/api/chat/profiles';
    const steps: [method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: Json][] = [
      ['POST', base, { registry: 'past', slug: 'alpha', description: 'one' }],
      ['POST', base, { registry: 'past', slug: 'beta', set_default: true }],
      ['PATCH', `${base}/alpha?registry=past`, { description: 'two', runtime: { tools: ['search'] } }],
      ['PATCH', `${base}/beta?registry=past`, { display_name: 'Beta' }],
      ['DELETE', `${base}/alpha?registry=past`],
      ['POST', base, { registry: 'past', slug: 'alpha', description: 'three' }],
      ['PATCH', `${base}/alpha?registry=past`, { description: 'four' }],
    ];
    const recorded: { atMs: number; alpha: { status: number; body: string }; registry: string; version: number }[] = [];
    const alphaByVersion = new Map<number, string>();
    for (const [method, url, body] of steps) {
      await write(method, url, 'tester', body);
      const registry = await get('/api/registries/past');
      const payload = registry.json();
      const alpha = await get(`${base}/alpha?registry=past`);
      recorded.push({ atMs: payload.metadata.updated_at_ms, alpha: { status: alpha.statusCode, body: alpha.body }, registry: registry.body, version: payload.metadata.version });
      if (alpha.statusCode === 200 && url.includes('alpha') || (method === 'POST' && body?.slug === 'alpha')) {
        alphaByVersion.set(alpha.json().metadata.version, alpha.body);
      }
    }
    for (const moment of recorded) {
      const asOf = await get(`${base}/alpha?registry=past&as_of=${moment.atMs}`);
      expect(asOf.statusCode).toBe(moment.alpha.status);
      if (moment.alpha.status === 200) expect(asOf.body).toBe(moment.alpha.body);
      const rfc3339 = new Date(moment.atMs).toISOString();
      // PostgreSQL's JSONB orders keys its own way in live reads: registries compare as JSON
      expect((await get(`/api/registries/past?as_of=${rfc3339}`)).json()).toEqual(JSON.parse(moment.registry));
      expect((await get(`/api/registries/past?version=${moment.version}`)).json()).toEqual(JSON.parse(moment.registry));
    }
    expect([...alphaByVersion.keys()]).toEqual([1, 2, 4, 5]);
    for (const [version, body] of alphaByVersion) {
      const byVersion = await get(`${base}/alpha?registry=past&version=${version}`);
      expect(byVersion.statusCode).toBe(200);
      expect(byVersion.body).toBe(body);
    }
    expect((await get(`${base}/alpha?registry=past&version=3`)).statusCode).toBe(404);

    const created = JSON.parse(recorded[0].registry).metadata.created_at_ms as number;
    const before = await get(`/api/registries/past?as_of=${created - 1}`);
    expect(before.statusCode).toBe(404);
    expect(before.headers['content-type']).toContain('application/problem+json');
    expect((await get(`${base}/alpha?registry=past&as_of=${created - 1}`)).statusCode).toBe(404);
    for (const query of ['as_of=yesterday', 'as_of=2026-13-45', 'version=0', 'version=abc', 'version=1&as_of=1']) {
      const bad = await get(`/api/registries/past?${query}`);
      expect(bad.statusCode, query).toBe(400);
      expect(bad.json().detail).toMatch(/^validation error \((version|as_of)\)/);
      expect((await get(`${base}/alpha?registry=past&${query}`)).statusCode, query).toBe(400);
    }
    const future = Date.now() + 10 * 365 * 86_400_000 + start;
    expect((await get(`/api/registries/past?as_of=${future}`)).json()).toEqual((await get('/api/registries/past')).json());
    expect((await get(`${base}/alpha?registry=past&as_of=${future}`)).body).toBe((await get(`${base}/alpha?registry=past`)).body);
    expect((await get('/api/registries/past?version=999')).statusCode).toBe(404);
  });

  it('pages through the events of a registry, oldest first', async () => {
    const first = await get('/api/registries/past/events?limit=3');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.events.map((e: Json) => e.version)).toEqual([1, 2, 3]);
    expect(page.events[0]).toMatchObject({ registry: 'past', type: 'registry.created', actor: 'root', source: 'http-api' });
    expect(page.events[1]).toMatchObject({ type: 'profile.created', profile: 'alpha', data: { version: 1 } });
    const next = (await get(`/api/registries/past/events?after=${page.next_after}&limit=1000`)).json();
    expect(next.events[0].version).toBe(4);
    expect(next.events.every((e: Json) => e.registry === 'past')).toBe(true);
    const staff = (await get('/api/registries/staff/events?limit=1')).json();
    const afterForeign = (await get(`/api/registries/past/events?after=${staff.next_after}&limit=2`)).json();
    expect(afterForeign.events.map((e: Json) => e.version)).toEqual([1, 2]); // a position of another registry
    expect((await get('/api/registries/past/events?limit=0')).statusCode).toBe(400);
    expect((await get('/api/registries/nowhere/events')).statusCode).toBe(404);
  });
});
