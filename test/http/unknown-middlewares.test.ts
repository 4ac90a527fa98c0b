import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { runCli } from '../support/run-cli.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

type Json = Record<string, unknown>;

const agentmodeSchema = { version: 1, schema: { type: 'object', properties: { default_mode: { type: 'string' } } } };
/** The same, as a bundle's `schemas.middlewares` lists it. */
const agentmode = { name: 'agentmode', ...agentmodeSchema };
const using = (slug: string, middleware: string, registry = 'team'): Json => ({
  registry,
  slug,
  runtime: { middlewares: [{ name: middleware, id: 'one' }] },
});
const bundleWith = (profile: string, middleware: string, schemas?: Json): Json => ({
  registries: { team: { slug: 'team', profiles: { [profile]: { slug: profile, runtime: { middlewares: [{ name: middleware }] } } } } },
  ...(schemas === undefined ? {} : { schemas }),
});
const unknownDetail = (pointer: string, name: string) => `validation error (${pointer}): no schema is registered for middleware "${name}"`;

/**
 * API.md: once the middleware catalog has entries, an unregistered middleware name is refused
 * (400 naming it), as pinocchio answers "unknown middleware"; while it is empty, names are free.
 */
describeEachBackend('unknown middleware names on %s', (backend) => {
  let t: TestApp;
  let fresh: TestApp;
  const { dir, remove } = tempDir();
  const call = (app: TestApp, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: Json) =>
    app.app.inject({ method, url, payload, headers: { 'x-actor': 'alice' } });

  beforeAll(async () => {
    t = await openTestApp(backend);
    fresh = await openTestApp(backend);
    for (const app of [t, fresh]) expect((await call(app, 'POST', '/api/registries', { slug: 'team' })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await fresh?.close();
    remove();
  });

  it('while the catalog is empty, any middleware name is accepted, written or imported', async () => {
    expect(await (await call(t, 'GET', '/api/chat/schemas/middlewares')).json()).toEqual([]);
    const created = await call(t, 'POST', '/api/chat/profiles', using('early', 'custom_mw'));
    expect(created.statusCode, created.body).toBe(201);
    const imported = await call(t, 'POST', '/api/registries/team/import', bundleWith('imported', 'another_mw'));
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await call(t, 'GET', '/api/chat/profiles/imported?registry=team')).json().runtime.middlewares).toEqual([
      { name: 'another_mw', enabled: true },
    ]);
  });

  it('once the catalog has an entry, an unknown name is refused in every registry (400 naming it), the store unchanged', async () => {
    // registering the first schema does not rewrite stored profiles (see docs/COMPATIBILITY.md)
    expect((await call(t, 'PUT', '/api/chat/schemas/middlewares/agentmode', agentmodeSchema)).statusCode).toBe(201);
    const before = await storeSnapshot(t.store.db);
    const refused = expectProblem(await call(t, 'POST', '/api/chat/profiles', using('late', 'custom_mw')), 400, unknownDetail('runtime.middlewares[0].name', 'custom_mw'));
    expect(refused.errors).toEqual([{ path: '/runtime/middlewares/0/name', message: 'no schema is registered for middleware "custom_mw"' }]);
    // a stored profile naming one: its next write must name registered middlewares only
    expectProblem(
      await call(t, 'PATCH', '/api/chat/profiles/early?registry=team', { display_name: 'Early' }),
      400,
      unknownDetail('runtime.middlewares[0].name', 'custom_mw'),
    );
    // no registry-level opt-out: `allow` is the default, and the default refuses now
    expect((await call(t, 'PATCH', '/api/registries/team', { unknown_middlewares: 'allow' })).statusCode).toBe(200);
    expectProblem(await call(t, 'POST', '/api/chat/profiles', using('late', 'custom_mw')), 400, /custom_mw/);
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const registered = await call(t, 'POST', '/api/chat/profiles', using('late', 'agentmode'));
    expect(registered.statusCode, registered.body).toBe(201);
    const fixed = await call(t, 'PATCH', '/api/chat/profiles/early?registry=team', { runtime: { middlewares: [{ name: 'agentmode' }] } });
    expect(fixed.statusCode, fixed.body).toBe(200);
  });

  it('an import naming an unknown middleware is refused at its place in the file, nothing written (HTTP and the CLI)', async () => {
    const before = await storeSnapshot(t.store.db);
    const bundle = bundleWith('mystery-user', 'mystery');
    const refused = expectProblem(
      await call(t, 'POST', '/api/registries/team/import', bundle),
      400,
      unknownDetail('registries.team.profiles.mystery-user.runtime.middlewares[0].name', 'mystery'),
    );
    expect(refused.errors[0].path).toBe('/registries/team/profiles/mystery-user/runtime/middlewares/0/name');
    const file = join(dir, 'mystery.json');
    writeFileSync(file, JSON.stringify(bundle));
    const cli = await runCli(['import', file, ...t.cliDatabaseArgs]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('no schema is registered for middleware "mystery"');
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('a file whose schemas bring the catalog its first entries is judged with them: its unknown names refused, its schemas not registered', async () => {
    const before = await storeSnapshot(fresh.store.db);
    const bundle = bundleWith('mixed', 'mystery', { middlewares: [agentmode] });
    expectProblem(
      await call(fresh, 'POST', '/api/registries/team/import', bundle),
      400,
      unknownDetail('registries.team.profiles.mixed.runtime.middlewares[0].name', 'mystery'),
    );
    expect(await storeSnapshot(fresh.store.db)).toEqual(before);
    expect((await call(fresh, 'GET', '/api/chat/schemas/middlewares')).json()).toEqual([]);
    const accepted = await call(fresh, 'POST', '/api/registries/team/import', bundleWith('mixed', 'agentmode', { middlewares: [agentmode] }));
    expect(accepted.statusCode, accepted.body).toBe(200);
  });
});
