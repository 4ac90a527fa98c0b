import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClient, ProblemError, UnreachableError, type Change, type Resolved } from '../../src/client/index.js';
import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { describeEachBackend } from '../support/backends.js';
import { freePort, startServer, type ServerProcess } from '../support/server-process.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const context = { actor: 'offline-writer', source: 'test', request_id: 'while-down' };

describeEachBackend('the typed client against a real server on %s', (backend) => {
  let t: TestStore;
  let other: RegistryStore;
  let port: number;
  let server: ServerProcess | undefined;
  let client: ReturnType<typeof createClient>;
  const start = async () => {
    server = await startServer(t.cliDatabaseArgs, { port });
  };
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  /** The event positions written after `after`, from the database itself. */
  const positionsAfter = async (after: number) =>
    (await other.db.all<{ position: number | string }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [after])).map((row) =>
      Number(row.position),
    );

  beforeAll(async () => {
    t = await openTestStore(backend);
    other = await t.reopen();
    port = await freePort();
    await start();
    client = createClient({ baseUrl: `http://127.0.0.1:${port}` });
  });
  afterEach(async () => {
    if (!server) await start();
  });
  afterAll(async () => {
    await stop();
    await t?.close();
  });

  it('covers CRUD, registries, history, diff, as-of, restore, resolve, schemas, import and export with typed answers', async () => {
    const registry = await client.createRegistry({ slug: 'crud', display_name: 'CRUD' });
    expect(registry.slug).toBe('crud');
    const created = await client.createProfile({ registry: 'crud', slug: 'analyst', runtime: { system_prompt: 'v1', tools: ['search'] } });
    expect(created).toMatchObject({ registry: 'crud', slug: 'analyst', metadata: { version: 1 }, is_default: true });
    const updated = await client.updateProfile('analyst', { runtime: { system_prompt: 'v2', tools: ['search'] } }, { registry: 'crud' });
    expect(updated.metadata.version).toBe(2);
    expect(updated.fingerprint).not.toBe(created.fingerprint);
    expect((await client.listProfiles({ registry: 'crud' })).map((summary) => summary.slug)).toEqual(['analyst']);
    expect((await client.getProfile('analyst', { registry: 'crud', version: 1 })).fingerprint).toBe(created.fingerprint);
    const history = await client.profileHistory('analyst', { registry: 'crud' });
    expect(history.versions.map((entry) => entry.version)).toEqual([2, 1]);
    const diff = await client.diff('analyst', 1, 2, { registry: 'crud' });
    expect(diff.changes).toContainEqual(expect.objectContaining({ op: 'replace', path: '/runtime/system_prompt', value: 'v2' }));
    const restored = await client.restoreProfile('analyst', { to_version: 1 }, { registry: 'crud' });
    expect(restored).toMatchObject({ metadata: { version: 3 }, fingerprint: created.fingerprint });
    const resolved = await client.resolve('analyst', { registry: 'crud' });
    expect(resolved).toMatchObject({ registry: 'crud', profile: 'analyst', profile_version: 3, fingerprint: created.fingerprint });
    expect((await client.resolve(undefined, { registry: 'crud' })).source).toBe('registry_default');
    expect((await client.registryEvents('crud')).events.length).toBeGreaterThan(3);
    expect((await client.getRegistry('crud', { version: 1 })).profiles).toEqual({});

    await client.putExtensionSchema('crud.note@v1', { schema: { type: 'object', properties: { text: { type: 'string' } } } });
    expect((await client.listExtensionSchemas()).map((item) => item.key)).toContain('crud.note@v1');
    expect(await client.getSchema('extensions', 'crud.note@v1')).toMatchObject({ key: 'crud.note@v1' });

    const bundle = await client.exportRegistry('crud');
    expect(Object.keys(bundle.registries)).toEqual(['crud']);
    await client.createRegistry({ slug: 'copy' });
    const imported = await client.importRegistry('copy', { slug: 'copy', profiles: (bundle.registries.crud as { profiles: object }).profiles });
    expect(imported).toMatchObject({ registry: 'copy', profiles: 1 });
    expect((await client.getProfile('analyst', { registry: 'copy' })).runtime).toEqual(restored.runtime);

    await client.deleteProfile('analyst', { registry: 'copy' });
    await client.deleteRegistry('copy');
    expect((await client.listRegistries()).map((each) => each.slug)).not.toContain('copy');
  });

  it('throws problem+json answers as ProblemError and leaves the store as it was', async () => {
    const before = await positionsAfter(0);
    const missing = await client.getProfile('nobody', { registry: 'crud' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ProblemError);
    expect(missing).toMatchObject({ status: 404, kind: 'not-found', message: 'profile not found' });
    const stale = await client.updateProfile('analyst', { description: 'late', expected_version: 1 }, { registry: 'crud' }).catch((error: unknown) => error);
    expect(stale).toMatchObject({ status: 409, kind: 'version-conflict', currentVersion: 3 });
    const invalid = await client.createProfile({ registry: 'crud', slug: 'Not A Slug!' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400 });
    expect(await positionsAfter(0)).toEqual(before);
    const away = createClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    await expect(away.listRegistries()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('updateWithRetry reads again and applies its change again after a 409', async () => {
    await client.createProfile({ registry: 'crud', slug: 'contended', runtime: { tools: ['a'] } });
    let calls = 0;
    const result = await client.updateWithRetry(
      'contended',
      async (current) => {
        calls += 1;
        // another writer lands between this read and its write, once
        if (calls === 1) await client.updateProfile('contended', { runtime: { tools: [...(current.runtime?.tools as string[]), 'b'] } }, { registry: 'crud' });
        return { runtime: { tools: [...(current.runtime?.tools as string[]), 'c'] } };
      },
      { registry: 'crud' },
    );
    expect(calls).toBe(2);
    expect(result.runtime?.tools).toEqual(['a', 'b', 'c']);
    expect(result.metadata.version).toBe(3);
  });

  it('watch delivers every change once, in order, across a server restart (changes made while it was down included)', async () => {
    await client.createProfile({ registry: 'crud', slug: 'watched', runtime: { system_prompt: 'w0' } });
    const from = (await client.changes()).next_after;
    const seen: Change[] = [];
    const abort = new AbortController();
    const states: string[] = [];
    const watching = (async () => {
      for await (const change of client.watch({ from, signal: abort.signal, minDelayMs: 50, maxDelayMs: 400, onState: (state) => states.push(state) })) {
        seen.push(change);
      }
    })();
    for (const prompt of ['w1', 'w2']) await client.updateProfile('watched', { runtime: { system_prompt: prompt } }, { registry: 'crud' });
    await until(() => seen.length >= 2, 'the first two changes');

    await stop();
    // written by another process while no server runs
    await other.execute({ type: 'update_profile', registry: 'crud', slug: 'watched', fields: { runtime: { system_prompt: 'w3' } } }, context);
    await pause(300);
    await start();
    await client.updateProfile('watched', { runtime: { system_prompt: 'w4' } }, { registry: 'crud' });
    const expected = await positionsAfter(from);
    await until(() => seen.length >= expected.length, `${expected.length} changes`);
    await pause(200); // nothing more arrives
    abort.abort();
    await watching;

    expect(seen.map((change) => change.position)).toEqual(expected);
    expect(states).toContain('reconnecting');
    const prompts = seen.filter((change) => change.profile === 'watched').map((change) => change.affected[0]?.profile_version);
    expect(prompts).toEqual([2, 3, 4, 5]);
  });

  it('followProfile calls back once per change of the effective runtime, across a server restart', async () => {
    await client.createRegistry({ slug: 'base-reg' });
    await client.createProfile({ registry: 'base-reg', slug: 'house', runtime: { system_prompt: 'house v1' } });
    await client.createProfile({ registry: 'crud', slug: 'bot', runtime: { tools: ['search'] }, stack: [{ registry_slug: 'base-reg', profile_slug: 'house' }] });
    const calls: Resolved[] = [];
    const following = client.followProfile('bot', { registry: 'crud', minDelayMs: 50, maxDelayMs: 400, onChange: (resolved) => void calls.push(resolved) });
    const first = await following.ready;
    expect(first.runtime).toEqual({ system_prompt: 'house v1', tools: ['search'] });

    await client.updateProfile('house', { runtime: { system_prompt: 'house v2' } }, { registry: 'base-reg' });
    await until(() => calls.length === 2, 'the base change');
    await client.updateProfile('bot', { display_name: 'Bot' }, { registry: 'crud' }); // not the runtime
    await client.updateProfile('house', { description: 'still v2' }, { registry: 'base-reg' }); // not the runtime either

    await stop();
    await other.execute({ type: 'update_profile', registry: 'base-reg', slug: 'house', fields: { runtime: { system_prompt: 'house v3' } } }, context);
    await pause(300);
    await start();
    await until(() => calls.length === 3, 'the change made while the server was down');
    await client.updateProfile('bot', { runtime: { tools: ['search', 'calc'] } }, { registry: 'crud' });
    await until(() => calls.length === 4, 'the own change');
    await pause(500);
    await following.close();

    expect(calls.map((resolved) => resolved.runtime)).toEqual([
      { system_prompt: 'house v1', tools: ['search'] },
      { system_prompt: 'house v2', tools: ['search'] },
      { system_prompt: 'house v3', tools: ['search'] },
      { system_prompt: 'house v3', tools: ['search', 'calc'] },
    ]);
    expect(new Set(calls.map((resolved) => resolved.fingerprint)).size).toBe(4);
    expect(following.current?.fingerprint).toBe((await client.resolve('bot', { registry: 'crud' })).fingerprint);
  });
});
