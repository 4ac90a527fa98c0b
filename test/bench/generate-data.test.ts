import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/projections/verify-store.js';
import { generatePatches, generateProfiles, generateRegistries, registrySlugs } from '../../bench/lib/generate-data.js';
import { join } from 'node:path';
import { writeShapedHistory } from '../../bench/lib/shaped-history.js';
import { openDatabase, type DatabaseLocation } from '../../src/events/open-database.js';
import { verifyHashChain } from '../../src/events/verify-hash-chain.js';
import { describeEachBackend } from '../support/backends.js';
import { createTestSchema, PG_URL } from '../support/postgres.js';
import { loadRegistryState } from '../../src/projections/load-registry-state.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

const bytes = (value: unknown) => JSON.stringify(value).length;

describe('the benchmark data generator', () => {
  it('gives the same data for the same arguments, and a prefix for a smaller count', () => {
    expect(JSON.stringify(generateProfiles(40, 4))).toBe(JSON.stringify(generateProfiles(40, 4)));
    expect(generateProfiles(15, 4)).toEqual(generateProfiles(40, 4).slice(0, 15));
    expect(JSON.stringify(generatePatches(40, 4, 100))).toBe(JSON.stringify(generatePatches(40, 4, 100)));
    expect(generateProfiles(5, 4, { seed: 'other' })).not.toEqual(generateProfiles(5, 4));
  });

  it('holds no API key and never makes a profile read-only', () => {
    const text = JSON.stringify([generateProfiles(200, 5), generatePatches(200, 5, 1000)]);
    expect(text).not.toMatch(/api-key/);
    expect(text).not.toContain('"read_only":true');
  });

  it('spreads unique slugs round-robin over default and the generated registries, the first of each the default', () => {
    const profiles = generateProfiles(300, 30);
    expect(registrySlugs(30)[0]).toBe('default');
    expect(new Set(registrySlugs(30)).size).toBe(30);
    expect(generateRegistries(30).map(({ slug }) => slug)).toEqual(registrySlugs(30).slice(1));
    expect(new Set(profiles.map(({ registry, slug }) => `${registry}/${slug}`)).size).toBe(300);
    expect(profiles.map(({ registry }) => registry).slice(0, 30)).toEqual(registrySlugs(30));
    expect(profiles.filter((profile) => profile.set_default === true)).toHaveLength(30);
  });

  it('makes medium bodies of about 4 KB, small ones smaller and large ones bigger', () => {
    const mean = (size: 'small' | 'medium' | 'large') => {
      const sizes = generateProfiles(200, 5, { size }).map(bytes);
      return sizes.reduce((sum, value) => sum + value, 0) / sizes.length;
    };
    expect(mean('medium')).toBeGreaterThan(3000);
    expect(mean('medium')).toBeLessThan(5000);
    expect(mean('small')).toBeLessThan(mean('medium') / 2);
    expect(mean('large')).toBeGreaterThan(mean('medium') * 2);
  });

  describe('through the API', () => {
    let t: TestApp;
    const registries = 3;
    const profiles = generateProfiles(24, registries);
    beforeAll(async () => {
      t = await openTestApp('sqlite');
      for (const body of [{ slug: 'default' }, ...generateRegistries(registries)]) {
        expect((await t.app.inject({ method: 'POST', url: '/api/registries', payload: body })).statusCode).toBe(201);
      }
    });
    afterAll(async () => t?.close());

    it('has every profile body accepted as written', async () => {
      for (const body of profiles) {
        const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: body });
        expect(created.statusCode, created.body).toBe(201);
        expect(created.json()).toMatchObject({ slug: body.slug, runtime: body.runtime, extensions: body.extensions });
      }
    });

    it('has every patch accepted, each a real change of exactly the field it names', async () => {
      for (const { slug, registry, body } of generatePatches(profiles.length, registries, 150)) {
        const url = `/api/chat/profiles/${slug}?registry=${registry}`;
        const before = (await t.app.inject({ method: 'GET', url })).json();
        const patched = await t.app.inject({ method: 'PATCH', url, payload: body });
        expect(patched.statusCode, patched.body).toBe(200);
        const after = patched.json();
        expect(after.metadata.version).toBe(before.metadata.version + 1);
        const [field] = Object.keys(body) as [string];
        expect(Object.keys(body)).toHaveLength(1);
        if (field === 'metadata') expect(after.metadata.tags).toEqual((body.metadata as { tags: string[] }).tags);
        else expect(after[field]).toEqual(body[field]);
        expect(after[field]).not.toEqual(before[field]);
      }
    });
  });
});

describeEachBackend("the generator of issue 29's stores (%s)", (backend) => {
  const { dir, remove } = tempDir();
  let location: DatabaseLocation = { path: join(dir, 'shaped.db') };
  let dropSchema: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    if (backend !== 'postgres') return;
    const { schema, drop } = await createTestSchema();
    location = { dsn: PG_URL, schema };
    dropSchema = drop;
  });
  afterAll(async () => {
    remove();
    await dropSchema();
  });

  it('writes exactly the events asked for, in 20 registries, 5 % stacked, most edits on the hot profiles, a whole chain, and a rebuild serves them', async () => {
    const store = await writeShapedHistory({ location, events: 4000 });
    expect(store.events).toBe(4000);
    expect(store.profiles).toBe(20 * 100);
    const db = openDatabase(location);
    try {
      expect(await db.events.countEvents()).toBe(4000);
      expect((await verifyHashChain(db)).broken).toBeUndefined();
      const streams = (await db.events.listStreams()).map((stream) => stream.streamId).filter((id) => !id.startsWith('$'));
      expect(streams.sort()).toEqual([...registrySlugs(20)].sort());
      await rebuildProjections(db);
      // every event sealed as the server seals its appends: verify finds nothing
      expect((await verifyStore(db)).findings).toEqual([]);
      const states = await Promise.all(streams.map((registry) => loadRegistryState(db, registry)));
      const profiles = states.flatMap((state) => [...state!.profiles.values()]);
      expect(profiles).toHaveLength(2000);
      const stacked = profiles.filter((profile) => profile.content.stack.length > 0).length;
      expect(stacked / profiles.length).toBeGreaterThan(0.03);
      expect(stacked / profiles.length).toBeLessThan(0.07);
      // the hot 1 % (one profile of each registry here) holds about 90 % of the edits
      const edits = profiles.map((profile) => profile.version - 1).sort((a, b) => b - a);
      const total = edits.reduce((sum, count) => sum + count, 0);
      expect(edits.slice(0, 20).reduce((sum, count) => sum + count, 0) / total).toBeGreaterThan(0.85);
      expect(store.versions.hot).toBeGreaterThan(50);
      expect(store.versions.cold).toBeLessThan(10);
    } finally {
      await db.close();
    }
    await expect(writeShapedHistory({ location, events: 100 })).rejects.toThrow(/holds 4000 events already/);
  });
});
