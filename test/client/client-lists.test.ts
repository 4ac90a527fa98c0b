import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, ProblemError } from '../../src/client/index.js';
import { describeEachBackend } from '../support/backends.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * What the console reads through the typed client beside CRUD: who the token is, lists page by
 * page with a search, a revealed read, history filters and the stack trace of a resolve.
 */
describeEachBackend('the typed client reads pages, filters and origins on %s', (backend) => {
  let t: TestStore;
  let server: ServerProcess;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    t = await openTestStore(backend);
    server = await startServer(t.cliDatabaseArgs);
    client = createClient({ baseUrl: server.url });
    for (const slug of ['base', 'team']) await client.createRegistry({ slug });
    await client.createProfile({
      registry: 'base',
      slug: 'root',
      runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini', 'openai-api-key': 'sk-client-lists-0123456789' } } },
    });
    for (const slug of ['alpha', 'beta', 'gamma']) {
      await client.createProfile({ registry: 'team', slug, display_name: `${slug} profile`, stack: [{ registry_slug: 'base', profile_slug: 'root' }] });
    }
    await client.updateProfile('beta', { runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4.1' } } } }, { registry: 'team' });
    await client.restoreProfile('beta', { to_version: 1 }, { registry: 'team' });
  });
  afterAll(async () => {
    await server?.stop();
    await t?.close();
  });

  it('tells who the token is', async () => {
    expect(await client.session()).toEqual({ name: null, role: 'admin' });
  });

  it('pages the profiles and the registries to the end, and searches them', async () => {
    const first = await client.listProfilesPage({ registry: 'team', limit: 2 });
    expect(first.items.map((item) => item.slug)).toEqual(['alpha', 'beta']);
    expect(first.items[0].display_name).toBe('alpha profile');
    const second = await client.listProfilesPage({ registry: 'team', limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second).toMatchObject({ items: [{ slug: 'gamma' }], next_cursor: null });
    expect((await client.listProfilesPage({ registry: 'team', q: 'gam' })).items.map((item) => item.slug)).toEqual(['gamma']);
    const registries = await client.listRegistriesPage({ limit: 1 });
    expect(registries.items.map((item) => item.slug)).toEqual(['base']);
    // the store's own `default` registry comes between them
    expect((await client.listRegistriesPage({ cursor: registries.next_cursor ?? undefined })).items.map((item) => item.slug)).toEqual(['default', 'team']);
    expect((await client.listRegistriesPage({ q: 'tea' })).items.map((item) => item.slug)).toEqual(['team']);
  });

  it('publishes only where the server holds a signing key, and says so', async () => {
    const refused = await client.publishProfile('alpha', { registry: 'team' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).message).toContain('--signing-keys-file');
    expect((await client.getProfile('alpha', { registry: 'team' })).signature ?? null).toBeNull();
  });

  it('reads secrets only when asked to reveal them', async () => {
    const hidden = await client.getProfile('root', { registry: 'base' });
    expect(JSON.stringify(hidden)).not.toContain('sk-client-lists');
    const revealed = await client.getProfile('root', { registry: 'base', reveal: true });
    expect(JSON.stringify(revealed)).toContain('sk-client-lists-0123456789');
  });

  it("filters a profile's and a registry's history", async () => {
    const history = await client.profileHistory('beta', { registry: 'team' });
    expect(history.versions.map((entry) => entry.version)).toEqual([3, 2, 1]);
    expect(history.versions[0].cause).toEqual({ type: 'restore', to_version: 1 });
    const created = await client.profileHistory('beta', { registry: 'team', types: ['profile.created'] });
    expect(created.versions.map((entry) => entry.version)).toEqual([1]);
    const events = await client.registryEvents('team', { types: ['profile.updated'] });
    expect(events.events.map((event) => [event.profile, event.cause?.type])).toEqual([
      ['beta', undefined],
      ['beta', 'restore'],
    ]);
    expect((await client.registryEvents('team', { actor: 'nobody' })).events).toEqual([]);
  });

  it('credits each resolved value to the layer that set it', async () => {
    const resolved = await client.resolve('beta', { registry: 'team' });
    const byPath = Object.fromEntries(resolved.stack_trace.map((entry) => [entry.path, `${entry.registry_slug}/${entry.profile_slug}`]));
    expect(byPath['/runtime/step_settings_patch/ai-chat/ai-engine']).toBe('base/root');
    await client.updateProfile('gamma', { runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4.1' } } } }, { registry: 'team' });
    const gamma = await client.resolve('gamma', { registry: 'team' });
    const engine = gamma.stack_trace.find((entry) => entry.path === '/runtime/step_settings_patch/ai-chat/ai-engine');
    expect(engine).toMatchObject({ value: 'gpt-4.1', registry_slug: 'team', profile_slug: 'gamma', profile_version: 2 });
    expect(gamma.stack_trace.find((entry) => entry.path === '/runtime/step_settings_patch/ai-chat/openai-api-key')).toMatchObject({ registry_slug: 'base', profile_slug: 'root' });
  });
});
