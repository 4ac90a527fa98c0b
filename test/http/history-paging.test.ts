import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { storeFingerprint } from '../support/store-fingerprint.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

/**
 * Histories page to the very end and filter by actor, event type and time (API.md, Lists at
 * scale; issue 26): a registry's events and a profile's versions, past 1,000 entries.
 */
const START = 1_771_880_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

describeEachBackend('history pages and filters (%s)', (backend) => {
  let t: TestApp;
  const VERSIONS = 1105;

  const call = (url: string, method: 'GET' | 'POST' | 'PATCH' = 'GET', payload?: object, actor = 'root') =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { 'x-actor': actor } });
  const ok = async (url: string, method: 'GET' | 'POST' | 'PATCH' = 'GET', payload?: object, actor = 'root') => {
    const response = await call(url, method, payload, actor);
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  };

  beforeAll(async () => {
    // one second per clock reading: every event has its own time
    t = await openTestApp(backend, { now: steppingClock(START) });
    await ok('/api/registries', 'POST', { slug: 'staff' });
    await ok('/api/chat/profiles', 'POST', { registry: 'staff', slug: 'busy' });
    await ok('/api/chat/profiles', 'POST', { registry: 'staff', slug: 'quiet' }, 'carol');
    for (let version = 2; version <= VERSIONS; version += 1) {
      await ok('/api/chat/profiles/busy', 'PATCH', { registry: 'staff', description: `edit ${version}` }, version % 100 === 0 ? 'carol' : 'bot');
    }
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it('pages a profile history of more than 1,000 versions to its first version', async () => {
    const seen: number[] = [];
    let before: number | null | undefined;
    do {
      const page = await ok(`/api/chat/profiles/busy/history?registry=staff&limit=400${before ? `&before_version=${before}` : ''}`);
      seen.push(...page.versions.map((entry: { version: number }) => entry.version));
      before = page.next_before_version;
    } while (before !== null && seen.length < 5000);
    expect(seen).toHaveLength(VERSIONS);
    expect(seen[0]).toBe(VERSIONS);
    expect(seen.at(-1)).toBe(1);
    // the default page says there is more rather than stopping without a word
    const first = await ok('/api/chat/profiles/busy/history?registry=staff');
    expect(first.versions).toHaveLength(1000);
    expect(first.next_before_version).toBe(VERSIONS - 999);
  });

  it('filters a profile history by actor, type and time', async () => {
    const byCarol = await ok('/api/chat/profiles/busy/history?registry=staff&actor=carol');
    expect(byCarol.versions.map((entry: { version: number }) => entry.version)).toEqual([1100, 1000, 900, 800, 700, 600, 500, 400, 300, 200, 100]);
    expect(byCarol.next_before_version).toBeNull();
    const created = await ok('/api/chat/profiles/busy/history?registry=staff&type=profile.created');
    expect(created.versions.map((entry: { version: number; type: string }) => [entry.version, entry.type])).toEqual([[1, 'profile.created']]);
    const window = await ok('/api/chat/profiles/busy/history?registry=staff&limit=1000');
    const [newer, older] = [window.versions[10].at_ms, window.versions[14].at_ms];
    const ranged = await ok(`/api/chat/profiles/busy/history?registry=staff&since=${iso(older)}&until=${newer}`);
    expect(ranged.versions.map((entry: { version: number }) => entry.version)).toEqual([VERSIONS - 10, VERSIONS - 11, VERSIONS - 12, VERSIONS - 13, VERSIONS - 14]);
  });

  it('pages the registry events to the last one, and filters them', async () => {
    interface Event { position: number; version: number; type: string; actor: string; at_ms: number; profile?: string }
    const all: Event[] = [];
    let after = 0;
    for (let round = 0; round < 20; round += 1) {
      const page = await ok(`/api/registries/staff/events?after=${after}&limit=1000`);
      all.push(...page.events);
      after = page.next_after;
      if (page.at_end) break;
    }
    const head = (await ok('/api/registries/staff')).metadata.version;
    expect(head).toBeGreaterThan(VERSIONS);
    expect(all.map((event) => event.version)).toEqual(Array.from({ length: head }, (_, index) => index + 1));

    /** Every page of a filtered read, followed to at_end. */
    const filtered = async (query: string, limit: number) => {
      const found: Event[] = [];
      let from = 0;
      for (let round = 0; round < 50; round += 1) {
        const page = await ok(`/api/registries/staff/events?${query}&limit=${limit}&after=${from}`);
        expect(page.events.length).toBeLessThanOrEqual(limit);
        found.push(...page.events);
        from = page.next_after;
        if (page.at_end) return found;
      }
      throw new Error('no end');
    };
    const carol = await filtered('actor=carol', 5);
    expect(carol).toEqual(all.filter((event) => event.actor === 'carol'));
    expect(carol).toHaveLength(12); // the quiet profile and 11 edits
    const created = await filtered('type=registry.created,profile.created', 100);
    expect(created.map((event) => `${event.type} ${event.profile ?? ''}`.trim())).toEqual(['registry.created', 'profile.created busy', 'profile.created quiet']);
    const [since, until] = [all[20]!.at_ms, all[30]!.at_ms];
    const window = await filtered(`since=${iso(since)}&until=${until}`, 4);
    expect(window).toEqual(all.filter((event) => event.at_ms >= since && event.at_ms <= until));
    expect(window.length).toBeGreaterThanOrEqual(11);
  });

  it('leaves out the events\' data with data=false: the same timeline, fewer bytes', async () => {
    const withData = await call('/api/registries/staff/events?after=0&limit=1000');
    const without = await call('/api/registries/staff/events?after=0&limit=1000&data=false');
    expect(without.statusCode).toBe(200);
    const [full, lean] = [withData.json(), without.json()];
    expect(lean.events).toHaveLength(1000);
    expect(lean.events.every((event: object) => !('data' in event))).toBe(true);
    expect(lean.events).toEqual(full.events.map(({ data: _data, ...rest }: { data: unknown }) => rest));
    expect([lean.next_after, lean.at_end]).toEqual([full.next_after, full.at_end]);
    expect(without.body.length).toBeLessThan(withData.body.length);
    // data=true is the default answer; filters apply as before
    expect((await ok('/api/registries/staff/events?after=0&limit=3&data=true')).events).toEqual(full.events.slice(0, 3));
    const carol = await ok('/api/registries/staff/events?actor=carol&limit=2&data=false');
    expect(carol.events.map((event: { actor: string; data?: unknown }) => [event.actor, event.data])).toEqual([['carol', undefined], ['carol', undefined]]);
    // documented in OpenAPI
    const openapi = await ok('/openapi.json');
    const parameters: { name: string; in: string; schema: { enum?: string[] } }[] = openapi.paths['/api/registries/{registry}/events'].get.parameters;
    expect(parameters.find((parameter) => parameter.in === 'query' && parameter.name === 'data')?.schema.enum).toEqual(['true', 'false']);
  });

  it('refuses bad filters with a problem, and changes nothing', async () => {
    const before = await storeFingerprint(t.store.db);
    expectProblem(await call('/api/registries/staff/events?data=no'), 400, /data/);
    expectProblem(await call('/api/registries/staff/events?since=yesterday'), 400, /since/);
    expectProblem(await call('/api/chat/profiles/busy/history?registry=staff&until=soon'), 400, /until/);
    expectProblem(await call(`/api/registries/staff/events?since=${START + 10_000}&until=${START}`), 400, /since/);
    expect(await storeFingerprint(t.store.db)).toBe(before);
  });
});
