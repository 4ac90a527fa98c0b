import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyProjections } from '../../src/projections/verify-projections.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

const withoutMetadata = (document: Json): Json => {
  const { metadata: _metadata, ...rest } = document;
  return rest;
};

describeEachBackend('restores and imports judged by the command bus, and recorded as what they were, on %s', (backend) => {
  let t: TestApp;
  let twin: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
    twin = await openTestApp(backend, { now: steppingClock() });
  });
  afterAll(async () => {
    await t?.close();
    await twin?.close();
  });

  const callOn = (app: TestApp, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json, actor = 'tester') =>
    app.app.inject({ method, url, payload, headers: { 'x-actor': actor } });
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json, actor?: string) => callOn(t, method, url, payload, actor);
  const events = async (registry: string) => (await call('GET', `/api/registries/${registry}/events?limit=1000`)).json().events as Json[];
  const registryVersion = async (registry: string) => (await call('GET', `/api/registries/${registry}`)).json().metadata.version as number;

  it('restores a registry whose profiles stack on another registry’s profiles (dry run and real)', async () => {
    await call('POST', '/api/registries', { slug: 'base' });
    await call('POST', '/api/registries', { slug: 'app' });
    expect((await call('POST', '/api/chat/profiles', { registry: 'base', slug: 'core', runtime: { system_prompt: 'core' } })).statusCode).toBe(201);
    const stack = [{ registry_slug: 'base', profile_slug: 'core' }];
    expect((await call('POST', '/api/chat/profiles', { registry: 'app', slug: 'writer', stack, runtime: { system_prompt: 'v1' } })).statusCode).toBe(201);
    const toVersion = await registryVersion('app');
    const then = (await call('GET', '/api/chat/profiles/writer?registry=app')).json();
    // the restore brings the cross-registry stack back: judged with a view of one registry, its ref would be missing
    await call('PATCH', '/api/chat/profiles/writer?registry=app', { runtime: { system_prompt: 'v2' }, stack: [] });
    await call('POST', '/api/chat/profiles', { registry: 'app', slug: 'later', stack, description: 'gone after the restore' });

    const before = await storeSnapshot(t.store.db);
    const dry = await call('POST', '/api/registries/app/restore', { to_version: toVersion, dry_run: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().changes.length).toBeGreaterThan(0);
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const restored = await call('POST', '/api/registries/app/restore', { to_version: toVersion }, 'auditor');
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json().changes).toEqual(dry.json().changes);
    const now = (await call('GET', '/api/chat/profiles/writer?registry=app')).json();
    expect(withoutMetadata(now)).toEqual(withoutMetadata(then));
    expect((await call('GET', '/api/chat/profiles/later?registry=app')).statusCode).toBe(404);

    const written = (await events('app')).filter((event) => event.actor === 'auditor');
    expect(written.length).toBeGreaterThan(0);
    for (const event of written) expect(event.cause).toEqual({ type: 'restore', to_version: toVersion });
  });

  it('records a profile restore as a restore in history, the events route and the change feed; its document equals an equivalent PATCH’s', async () => {
    const url = '/api/chat/profiles/twin?registry=default';
    for (const app of [t, twin]) {
      await callOn(app, 'POST', '/api/registries', { slug: 'default' });
      await callOn(app, 'POST', '/api/chat/profiles', { registry: 'default', slug: 'twin', description: 'one', runtime: { system_prompt: 'one' } });
      await callOn(app, 'PATCH', url, { description: 'two', runtime: { system_prompt: 'two', tools: ['search'] } });
    }
    const after = (await t.app.inject({ method: 'GET', url: '/api/watch?after=0&wait=0', headers: { accept: 'application/json' } })).json().next_after;
    const restored = await call('POST', '/api/chat/profiles/twin/restore', { registry: 'default', to_version: 1 }, 'auditor');
    expect(restored.statusCode, restored.body).toBe(200);
    const patched = await callOn(twin, 'PATCH', url, { description: 'one', runtime: { system_prompt: 'one' } }, 'auditor');
    expect(patched.statusCode).toBe(200);
    expect(withoutMetadata(restored.json())).toEqual(withoutMetadata(patched.json()));
    expect(restored.json().metadata).toMatchObject({ version: 3, updated_by: 'auditor' });
    expect(withoutMetadata((await call('GET', url)).json())).toEqual(withoutMetadata((await callOn(twin, 'GET', url)).json()));

    const history = (await call('GET', '/api/chat/profiles/twin/history?registry=default')).json().versions as Json[];
    expect(history[0]).toMatchObject({ version: 3, type: 'profile.updated', actor: 'auditor', cause: { type: 'restore', to_version: 1 } });
    expect(history[1]).not.toHaveProperty('cause');
    const twinHistory = (await callOn(twin, 'GET', '/api/chat/profiles/twin/history?registry=default')).json().versions as Json[];
    expect(twinHistory[0]).not.toHaveProperty('cause');

    const last = (await events('default')).at(-1) as Json;
    expect(last).toMatchObject({ type: 'profile.updated', profile: 'twin', actor: 'auditor', cause: { type: 'restore', to_version: 1 } });
    const feed = await t.app.inject({ method: 'GET', url: `/api/watch?after=${after}&wait=0`, headers: { accept: 'application/json' } });
    const changes = feed.json().changes as Json[];
    expect(changes.find((change) => change.profile === 'twin')).toMatchObject({ type: 'profile.updated', cause: { type: 'restore', to_version: 1 } });
  });

  it('records an import as an import, keeping each profile’s source version beside its events (its version here starts at 1)', async () => {
    const body = {
      registries: {
        imported: {
          profiles: {
            alpha: { description: 'from elsewhere', metadata: { version: 7, tags: ['x'] } },
            beta: { description: 'no version said' },
          },
        },
      },
    };
    const answer = await call('POST', '/api/registries/imported/import', body, 'importer');
    expect(answer.statusCode, answer.body).toBe(200);
    const alpha = (await call('GET', '/api/chat/profiles/alpha?registry=imported')).json();
    expect(alpha.metadata).toMatchObject({ version: 1, tags: ['x'] });
    const written = await events('imported');
    expect(written.find((event) => event.type === 'registry.created')).toMatchObject({ actor: 'importer', cause: { type: 'import' } });
    expect(written.find((event) => event.profile === 'alpha')).toMatchObject({ cause: { type: 'import', source_version: 7 } });
    expect(written.find((event) => event.profile === 'beta')?.cause).toEqual({ type: 'import' });
    const history = (await call('GET', '/api/chat/profiles/alpha/history?registry=imported')).json().versions as Json[];
    expect(history[0]).toMatchObject({ version: 1, cause: { type: 'import', source_version: 7 } });
  });

  it('leaves projections a rebuild gives byte for byte', async () => {
    expect(await verifyProjections(t.store.db)).toEqual([]);
    expect(await verifyProjections(twin.store.db)).toEqual([]);
  });
});
