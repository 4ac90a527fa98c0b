import { afterAll, beforeAll, expect, it } from 'vitest';
import { profilesAtVersion, registryStateAtVersion, streamHeadVersion } from '../../src/projections/time-travel.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

describeEachBackend('a profile at a past version reads that profile and what its stack reaches, on %s', (backend) => {
  let t: TestApp;
  /** Each profile version's document and ETag as a read right after its write answered it. */
  const live = new Map<string, { body: string; etag: unknown }>();
  const base = '/api/chat/profiles';
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(), snapshotEvery: 3 });
    const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) => {
      const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': 'tester' } });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    const record = async () => {
      for (const [registry, slug] of [['top', 's'], ['top', 'local'], ['base', 'b0'], ['base', 'b1']]) {
        const response = await t.app.inject({ method: 'GET', url: `${base}/${slug}?registry=${registry}` });
        const key = `${registry}/${slug}@${response.json().metadata?.version}`;
        // the first read of a version is the one right after its write (later ones see later defaults)
        if (response.statusCode === 200 && !live.has(key)) live.set(key, { body: response.body, etag: response.headers.etag });
      }
    };
    const steps: [method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json][] = [
      ['POST', '/api/registries', { slug: 'base' }],
      ['POST', '/api/registries', { slug: 'top' }],
      ['POST', base, { registry: 'base', slug: 'b0', runtime: { system_prompt: 'b0 one' } }],
      ['POST', base, { registry: 'base', slug: 'b1', runtime: { tools: ['b1-tool'] } }],
      ['POST', base, { registry: 'top', slug: 'local', runtime: { tools: ['local-tool'] } }],
      ['POST', base, { registry: 'top', slug: 's', set_default: true, stack: [{ registry_slug: 'base', profile_slug: 'b0' }, { profile_slug: 'local' }] }],
      ['PATCH', `${base}/b0?registry=base`, { runtime: { system_prompt: 'b0 two' } }],
      ['PATCH', `${base}/s?registry=top`, { description: 'two' }],
      ...[1, 2, 3, 4, 5].map((round): [method: 'PATCH', url: string, payload: Json] => ['PATCH', `${base}/b1?registry=base`, { description: `b1 round ${round}` }]),
      // two levels: s → base/b0 → base/b1
      ['PATCH', `${base}/b0?registry=base`, { stack: [{ profile_slug: 'b1' }] }],
      ['PATCH', `${base}/s?registry=top`, { description: 'three' }],
      ['PATCH', `${base}/local?registry=top`, { runtime: { tools: ['other-tool'] } }],
      ['PATCH', `${base}/s?registry=top`, { description: 'four' }],
      ['PATCH', `${base}/b0?registry=base`, { stack: [] }],
      ['DELETE', `${base}/b1?registry=base`],
      ['PATCH', `${base}/s?registry=top`, { description: 'five' }],
      ['POST', base, { registry: 'base', slug: 'b1', runtime: { tools: ['b1 again'] } }],
      ['PATCH', `${base}/b0?registry=base`, { stack: [{ profile_slug: 'b1' }] }],
      ['PATCH', `${base}/s?registry=top`, { description: 'six' }],
      ['PATCH', `${base}/local?registry=top`, { description: 'local again' }],
    ];
    for (const [method, url, payload] of steps) {
      await write(method, url, payload);
      await record();
    }
  });
  afterAll(async () => t?.close());

  it('answers every ?version= as the read right after that version answered it', async () => {
    expect(live.size).toBeGreaterThanOrEqual(18);
    for (const [key, { body, etag }] of live) {
      const [, registry, slug, version] = /^(.+)\/(.+)@(\d+)$/.exec(key)!;
      const past = await t.app.inject({ method: 'GET', url: `${base}/${slug}?registry=${registry}&version=${version}` });
      expect(past.statusCode, key).toBe(200);
      expect(past.body, key).toBe(body);
      expect(past.headers.etag, key).toBe(etag);
    }
  });

  it('holds some profiles of a registry at any version as the whole registry held them', async () => {
    for (const registry of ['base', 'top']) {
      const head = await streamHeadVersion(t.store.db, registry);
      for (let version = 1; version <= head; version++) {
        const whole = await registryStateAtVersion(t.store.db, registry, version);
        for (const slugs of [['s'], ['b0', 'b1'], ['local', 'nobody']]) {
          const view = await profilesAtVersion(t.store.db, registry, version, slugs);
          expect(view?.live).toBe(whole?.live);
          expect(view?.default_profile_slug).toBe(whole?.default_profile_slug);
          expect([...(view?.profiles ?? [])]).toEqual([...(whole?.profiles ?? [])].filter(([slug]) => slugs.includes(slug)));
        }
      }
    }
  });
});
