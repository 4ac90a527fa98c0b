import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FAKE_KEY, readFixture } from '../support/fixtures.js';
import { describeEachBackend } from '../support/backends.js';
import { readRegistryBundle } from '../support/registry-bundle.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

const BUNDLE = readFixture('registry-bundle.yaml');
const LAB_PROFILES = Object.keys(readRegistryBundle().registries['research-lab']!.profiles);
const LEGACY_PROFILES = Object.keys(parseYaml(readFixture('legacy-profiles.yaml')));

describeEachBackend('registry import and export over HTTP on %s', (backend) => {
  let t: TestApp;
  let empty: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    empty = await openTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
    await empty?.close();
  });

  /** Imports a YAML document (a fixture or an export) the way a client does: converted to JSON, the only body a write takes. */
  const importYaml = (app: TestApp, registry: string, yaml: string) =>
    app.app.inject({
      method: 'POST',
      url: `/api/registries/${registry}/import`,
      headers: { 'content-type': 'application/json', 'x-actor': 'alice' },
      payload: JSON.stringify(parseYaml(yaml) ?? {}),
    });

  const postRaw = (app: TestApp, registry: string, body: string, contentType: string) =>
    app.app.inject({
      method: 'POST',
      url: `/api/registries/${registry}/import`,
      headers: { 'content-type': contentType, 'x-actor': 'alice' },
      payload: body,
    });

  it('imports the registry a bundle names, attributed to source import, and again appends nothing', async () => {
    // research-lab/lab-base stacks on default/house-style: a stack must name a profile that exists
    const stackless = await importYaml(t, 'research-lab', BUNDLE);
    expect(stackless.statusCode).toBe(400);
    expect(stackless.json().detail).toContain('default/house-style');
    const base = await importYaml(t, 'default', BUNDLE);
    expect(base.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/registries/research-lab' })).statusCode).toBe(404);
    const first = await importYaml(t, 'research-lab', BUNDLE);
    expect(first.statusCode).toBe(200);
    // registry.created, one profile.created each, registry.default_profile_changed
    expect(first.json()).toMatchObject({
      registry: 'research-lab',
      format: 'canonical-registries',
      profiles: LAB_PROFILES.length,
      events: LAB_PROFILES.length + 2,
    });
    const list = await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=research-lab' });
    expect(list.json().map((profile: { slug: string }) => profile.slug)).toEqual([...LAB_PROFILES].sort());
    const analyst = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/lab-analyst?registry=research-lab' });
    expect(analyst.json()).toMatchObject({ is_default: true, metadata: { version: 1, source: 'import', created_by: 'alice' } });

    const before = await storeSnapshot(t.store.db);
    const again = await importYaml(t, 'research-lab', BUNDLE);
    expect(again.json()).toMatchObject({ events: 0 });
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('refuses to change a read-only profile by import (403) and writes nothing', async () => {
    const changed = BUNDLE.replace('description: Checks a study plan', 'description: Waves through a study plan');
    expect(changed).not.toBe(BUNDLE);
    const before = await storeSnapshot(t.store.db);
    const refused = await importYaml(t, 'research-lab', changed);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe('policy violation for profile "ethics-review": profile is read-only');
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('exports YAML by default and JSON for Accept: application/json', async () => {
    const yaml = await t.app.inject({ method: 'GET', url: '/api/registries/research-lab/export' });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toContain('application/yaml');
    expect(yaml.body).toMatch(/^registries:\n {4}research-lab:\n/);
    const json = await t.app.inject({
      method: 'GET',
      url: '/api/registries/research-lab/export',
      headers: { accept: 'application/json' },
    });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.json()).toEqual(parseYaml(yaml.body));
    expect(json.json().registries['research-lab'].profiles['lab-base'].metadata).toEqual({ tags: ['layer', 'lab'] });
  });

  it('round-trips: export, import into an empty store, export gives identical bytes', async () => {
    for (const registry of ['default', 'research-lab']) {
      const exported = (await t.app.inject({ method: 'GET', url: `/api/registries/${registry}/export` })).body;
      expect((await importYaml(empty, registry, exported)).statusCode).toBe(200);
      const again = await empty.app.inject({ method: 'GET', url: `/api/registries/${registry}/export` });
      expect(again.body).toBe(exported);
    }
  });

  it('imports a single registry and a legacy map', async () => {
    const single = await t.app.inject({
      method: 'POST',
      url: '/api/registries/json-team/import',
      payload: { slug: 'json-team', profiles: { helper: { runtime: { system_prompt: 'Help' } } } },
    });
    expect(single.statusCode).toBe(200);
    expect(single.json()).toMatchObject({ format: 'single-registry', profiles: 1 });
    const legacy = await importYaml(t, 'legacy', readFixture('legacy-profiles.yaml'));
    expect(legacy.json()).toMatchObject({ format: 'legacy-map', profiles: LEGACY_PROFILES.length });
    const deterministic = await t.app.inject({ method: 'GET', url: '/api/chat/profiles/deterministic?registry=legacy' });
    expect(deterministic.json().runtime.step_settings_patch['ai-chat']['ai-temperature']).toBe(0);
  });

  it('takes JSON only: a YAML body is refused with 415 and changes nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    for (const contentType of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain']) {
      const refused = await postRaw(t, 'research-lab', BUNDLE, contentType);
      expect(refused.statusCode).toBe(415);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ type: 'https://profile-registry.dev/problems/unsupported-media-type', status: 415 });
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('refuses bad bodies with problem+json, never quoting a key, and changes nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    const invalid = await postRaw(t, 'legacy', `{"default": {"openai-chat": {"openai-api-key": "${FAKE_KEY}", "bad": [}}}`, 'application/json');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    expect(invalid.json().type).toBe('https://profile-registry.dev/problems/malformed-json');
    expect(invalid.body).not.toContain(FAKE_KEY);

    const elsewhere = await importYaml(t, 'nowhere', BUNDLE);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().detail).toBe('validation error (registries): the body holds no registry "nowhere"');

    const badValue = await importYaml(t, 'legacy', `agent: ${FAKE_KEY}\n`);
    expect(badValue.json()).toMatchObject({ status: 400, detail: 'legacy profile "agent" must map to section settings' });

    const empty = await postRaw(t, 'legacy', '', 'application/json');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toBe('input is empty: no registries or profiles');

    const nul = await t.app.inject({
      method: 'POST',
      url: '/api/registries/legacy/import',
      payload: { slug: 'legacy', profiles: { helper: { description: 'bad\u0000byte' } } },
    });
    expect(nul.statusCode).toBe(400);
    // the path is where the body holds it (every JSON body is checked for storable text before its route sees it)
    expect(nul.json().detail).toBe('validation error (profiles.helper.description): must not contain NUL characters');

    const huge = await importYaml(t, 'legacy', `big: {s: {k: "${'x'.repeat(1024 * 1024)}"}}\n`);
    expect(huge.statusCode).toBe(413);
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const missing = await t.app.inject({ method: 'GET', url: '/api/registries/nope/export' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toBe('registry not found');
  });
});
