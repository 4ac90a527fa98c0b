import { afterAll, beforeAll, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { verifyProjections } from '../../src/projections/verify-projections.js';
import { describeEachBackend } from '../support/backends.js';
import { loadRegistryBundle, readRegistryBundle } from '../support/registry-bundle.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

describeEachBackend('stacked profiles and fingerprints on %s', (backend) => {
  let t: TestApp;
  const doc = async (slug: string, registry = 'default') =>
    (await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=${registry}` })).json();
  const patch = (slug: string, payload: object, registry = 'default') =>
    t.app.inject({ method: 'PATCH', url: `/api/chat/profiles/${slug}?registry=${registry}`, payload });

  beforeAll(async () => {
    t = await openTestApp(backend);
    await loadRegistryBundle(t.app);
  });
  afterAll(async () => t?.close());

  it('resolves lab-analyst through lab-base and default/house-style as the fixture README says', async () => {
    const resolved = await t.app.inject({ method: 'GET', url: '/api/chat/resolve/lab-analyst?registry=research-lab' });
    expect(resolved.statusCode).toBe(200);
    const body = resolved.json();
    expect(body.stack_lineage).toEqual([
      { registry_slug: 'default', profile_slug: 'house-style', version: 1, source: 'http-api' },
      { registry_slug: 'research-lab', profile_slug: 'lab-base', version: 1, source: 'http-api' },
      { registry_slug: 'research-lab', profile_slug: 'lab-analyst', version: 1, source: 'http-api' },
    ]);
    // Each value comes from the layer that sets it last (test/fixtures/registry-bundle.yaml).
    const { profiles: lab } = readRegistryBundle().registries['research-lab']!;
    const house = readRegistryBundle().registries.default!.profiles['house-style']!;
    const layer = (profile: object) => (profile as { runtime: Record<string, any> }).runtime;
    const runtime = body.runtime;
    expect(runtime.step_settings_patch['ai-chat']['ai-engine']).toBe(layer(lab['lab-analyst']!).step_settings_patch['ai-chat']['ai-engine']);
    expect(runtime.step_settings_patch['ai-chat']['ai-temperature']).toBe(layer(lab['lab-base']!).step_settings_patch['ai-chat']['ai-temperature']);
    expect(runtime.step_settings_patch['ai-chat']['ai-api-type']).toBe(layer(house).step_settings_patch['ai-chat']['ai-api-type']);
    expect(runtime.step_settings_patch['ai-client'].timeout).toBe(layer(house).step_settings_patch['ai-client'].timeout);
    expect(runtime.step_settings_patch['openai-chat']['openai-base-url']).toBe('http://lab-gateway.internal:7070/v1');
    expect(runtime.system_prompt).toBe(layer(lab['lab-analyst']!).system_prompt);
    expect(runtime.tools).toContain('stats__fit_curve');
    // middlewares of every layer, lowest first: house-style's two, lab-base's, lab-analyst's
    expect(runtime.middlewares.map((m: { id: string }) => m.id)).toEqual(['reorder', 'request-log', 'phi-filter', 'analysis']);
    expect(body.fingerprint).toBe((await doc('lab-analyst', 'research-lab')).fingerprint);
  });

  it('keeps the fingerprint for a new display name, description, tags or reordered keys', async () => {
    const before = (await doc('long-writer')).fingerprint;
    expect((await patch('long-writer', { display_name: 'Renamed', description: 'new', metadata: { tags: ['x'] } })).statusCode).toBe(200);
    const runtime = (await doc('long-writer')).runtime;
    const reordered = Object.fromEntries(Object.entries(runtime).reverse());
    const again = await patch('long-writer', { runtime: reordered });
    expect(again.json().metadata.version).toBe(2);
    expect(again.json().fingerprint).toBe(before);
  });

  it('changes the fingerprint for a new prompt, tool, middleware config or step setting', async () => {
    const seen = new Set([(await doc('ops-agent')).fingerprint]);
    const runtime = (await doc('ops-agent')).runtime;
    const variants = [
      { ...runtime, system_prompt: 'another prompt' },
      { ...runtime, tools: [...runtime.tools, 'new_tool'] },
      { ...runtime, middlewares: runtime.middlewares.map((m: object, i: number) => (i === 0 ? { ...m, config: { changed: true } } : m)) },
      { ...runtime, step_settings_patch: { ...runtime.step_settings_patch, 'ai-chat': { 'ai-engine': 'other' } } },
    ];
    for (const variant of variants) {
      const response = await patch('ops-agent', { runtime: variant });
      expect(response.statusCode).toBe(200);
      seen.add(response.json().fingerprint);
    }
    expect(seen.size).toBe(5);
  });

  it('changes the fingerprints of every profile stacked on a changed base, across registries', async () => {
    const before = {
      base: (await doc('house-style')).fingerprint,
      finBase: (await doc('lab-base', 'research-lab')).fingerprint,
      analyst: (await doc('lab-analyst', 'research-lab')).fingerprint,
      auditor: (await doc('grant-writer', 'research-lab')).fingerprint,
    };
    const changed = await patch('house-style', {
      runtime: { ...(await doc('house-style')).runtime, step_settings_patch: { 'ai-client': { timeout: 90 } } },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().fingerprint).not.toBe(before.base);
    const finBase = await doc('lab-base', 'research-lab');
    expect(finBase.fingerprint).not.toBe(before.finBase);
    expect(finBase.metadata.version).toBe(1);
    expect((await doc('lab-analyst', 'research-lab')).fingerprint).not.toBe(before.analyst);
    expect((await doc('grant-writer', 'research-lab')).fingerprint).toBe(before.auditor);
    const resolved = await t.app.inject({ method: 'GET', url: '/api/chat/resolve/lab-analyst?registry=research-lab' });
    expect(resolved.json().runtime.step_settings_patch['ai-client'].timeout).toBe(90);
  });

  it('refuses a stack cycle with 400 and changes nothing', async () => {
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'cyc-a' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'cyc-b', stack: [{ profile_slug: 'cyc-a' }] } });
    const snapshot = await storeSnapshot(t.store.db);
    const cycle = await patch('cyc-a', { stack: [{ profile_slug: 'cyc-b' }] });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.headers['content-type']).toContain('application/problem+json');
    expect(cycle.json().detail).toBe('stack cycle detected: cyc-a -> cyc-b -> cyc-a');
    const self = await patch('cyc-a', { stack: [{ profile_slug: 'cyc-a' }] });
    expect(self.json().detail).toBe('stack cycle detected: cyc-a -> cyc-a');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('refuses a stack deeper than 32 with 400', async () => {
    for (let i = 0; i <= 32; i++) {
      const stack = i === 0 ? [] : [{ profile_slug: `deep-${i - 1}` }];
      const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: `deep-${i}`, stack } });
      expect(created.statusCode).toBe(201);
    }
    const snapshot = await storeSnapshot(t.store.db);
    const tooDeep = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { slug: 'deep-33', stack: [{ profile_slug: 'deep-32' }] },
    });
    expect(tooDeep.statusCode).toBe(400);
    expect(tooDeep.json().detail).toBe('stack depth exceeds 32');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('refuses a ref to a missing profile with 400', async () => {
    const snapshot = await storeSnapshot(t.store.db);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { slug: 'orphan', stack: [{ registry_slug: 'research-lab', profile_slug: 'nope' }] },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toBe('stack refers to missing profile "research-lab/nope"');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('refuses to delete a profile others stack on with 409 naming them', async () => {
    const snapshot = await storeSnapshot(t.store.db);
    const refused = await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/house-style' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe('profile "house-style" is stacked on by research-lab/lab-base');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('refuses to delete a registry another registry stacks on with 409', async () => {
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'shared' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'shared', slug: 'layer' } });
    const stacked = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { slug: 'on-shared', stack: [{ registry_slug: 'shared', profile_slug: 'layer' }] },
    });
    expect(stacked.statusCode).toBe(201);
    const snapshot = await storeSnapshot(t.store.db);
    const refused = await t.app.inject({ method: 'DELETE', url: '/api/registries/shared' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe('profile "layer" is stacked on by default/on-shared');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('rebuilds byte-identical rows, fingerprints resolved across registries', async () => {
    const stackRefs = () => t.store.db.all('SELECT * FROM profile_stack_refs ORDER BY registry, profile, ref_registry, ref_profile');
    const before = { rows: await storeSnapshot(t.store.db), refs: await stackRefs() };
    expect(before.refs).toContainEqual({ registry: 'research-lab', profile: 'lab-base', ref_registry: 'default', ref_profile: 'house-style' });
    await rebuildProjections(t.store.db);
    expect({ rows: await storeSnapshot(t.store.db), refs: await stackRefs() }).toEqual(before);
    // verify rebuilds into shadow tables: a registry that stacks on one written before it reads it back from those
    expect(await verifyProjections(t.store.db)).toEqual([]);
  });

  it('verify finds a stack dependents index that differs from the events, and rebuild repairs it', async () => {
    await t.store.db.run(`DELETE FROM profile_stack_refs WHERE registry = 'research-lab' AND profile = 'lab-base'`);
    await t.store.db.run(
      `INSERT INTO profile_stack_refs (registry, profile, ref_registry, ref_profile) VALUES ('default', 'house-style', 'default', 'forged')`,
    );
    const details = (await verifyProjections(t.store.db)).map((mismatch) => mismatch.detail);
    expect(details).toEqual([
      'profile_stack_refs row "default/house-style -> default/forged" should not exist',
      'profile_stack_refs row "research-lab/lab-base -> default/house-style" is missing',
    ]);
    await rebuildProjections(t.store.db);
    expect(await verifyProjections(t.store.db)).toEqual([]);
    const refused = await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/house-style' });
    expect(refused.json().detail).toBe('profile "house-style" is stacked on by research-lab/lab-base');
  });
});
