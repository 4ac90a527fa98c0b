import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSigningKeys } from '../../src/domain/signing-keys.js';
import { eventHash, GENESIS_HASH, type HashedFields } from '../../src/events/event-hash.js';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore } from '../../src/use-cases/registry-store.js';
import { postgresAvailable } from '../support/postgres.js';
import { expectProblem } from '../support/problem-assertions.js';
import { runCli } from '../support/run-cli.js';
import { copySqlite, withSqlite } from '../support/sqlite-copy.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type Backend, type TestApp, buildTestApp } from '../support/test-store.js';

const OLD = { id: 'ops-2025', secret: 'the-old-signing-secret-2025' };
const NEW = { id: 'ops-2026', secret: 'the-new-signing-secret-2026' };
const keysYaml = (...keys: { id: string; secret: string }[]) =>
  `keys:\n${keys.map((key) => `  - id: ${key.id}\n    secret: ${key.secret}\n`).join('')}`;
const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(backends)('signed profiles on %s', (backend) => {
  let t: TestApp;
  const as = (actor: string) => ({ 'x-actor': actor });
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const publish = (slug: string, payload: object = { registry: 'team' }, app = t.app) =>
    app.inject({ method: 'POST', url: `/api/chat/profiles/${slug}/publish`, payload, headers: as('admin-ann') });

  beforeAll(async () => {
    t = await openTestApp(backend, { signingKeys: parseSigningKeys(keysYaml(OLD)) });
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    for (const slug of ['base', 'analyst', 'loose']) {
      const stack = slug === 'analyst' ? [{ profile_slug: 'base' }] : undefined;
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/chat/profiles',
        payload: { registry: 'team', slug, runtime: { system_prompt: `prompt of ${slug}`, tools: ['search'] }, stack },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
  afterAll(async () => t?.close());

  it('publish signs the current version: the signature is shown, valid, and the profile version does not move', async () => {
    const registryBefore = (await get('/api/registries/team')).json().metadata.version;
    const response = await publish('analyst');
    expect(response.statusCode, response.body).toBe(200);
    const document = response.json();
    expect(document.metadata.version).toBe(1);
    expect(document.signature).toEqual({
      algorithm: 'hmac-sha256',
      key_id: OLD.id,
      version: 1,
      signed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      signed_by: 'admin-ann',
      value: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(document.signature_valid).toBe(true);
    expect(response.body).not.toContain(OLD.secret);
    expect((await get('/api/registries/team')).json().metadata.version).toBe(registryBefore + 1);

    const read = await get('/api/chat/profiles/analyst?registry=team&require_signed=true');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ signature: document.signature, signature_valid: true });
    // publishing again with the same key changes nothing
    const again = await publish('analyst');
    expect(again.json().signature).toEqual(document.signature);
    expect((await get('/api/registries/team')).json().metadata.version).toBe(registryBefore + 1);
  });

  it('resolve shows the signature; ?require_signed=true wants every merged layer signed', async () => {
    const resolved = await get('/api/chat/resolve/analyst?registry=team');
    expect(resolved.json()).toMatchObject({ profile: 'analyst', signature: { key_id: OLD.id, version: 1 }, signature_valid: true });
    expectProblem(await get('/api/chat/resolve/analyst?registry=team&require_signed=true'), 403, 'profile "team/base" is not signed (publish it first)');
    expect((await publish('base')).statusCode).toBe(200);
    const signed = await get('/api/chat/resolve/analyst?registry=team&require_signed=true');
    expect(signed.statusCode, signed.body).toBe(200);
    const unsigned = await get('/api/chat/resolve/loose?registry=team');
    expect(unsigned.json()).toMatchObject({ signature: null, signature_valid: false });
  });

  it('any later change makes the signature stale until it is published again', async () => {
    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/chat/profiles/analyst?registry=team',
      payload: { runtime: { system_prompt: 'changed after signing' } },
    });
    expect(patched.json()).toMatchObject({ metadata: { version: 2 }, signature: { version: 1 }, signature_valid: false });
    expectProblem(
      await get('/api/chat/profiles/analyst?registry=team&require_signed=true'),
      403,
      'profile "team/analyst" changed since it was signed at version 1 (publish it again)',
    );
    expectProblem(await get('/api/chat/resolve/analyst?registry=team&require_signed=true'), 403, /changed since it was signed/);
    const republished = await publish('analyst', { registry: 'team', expected_version: 2 });
    expect(republished.json()).toMatchObject({ signature: { version: 2 }, signature_valid: true });
  });

  it('refuses bad input with problem+json and leaves the store unchanged', async () => {
    const before = await storeSnapshot(t.store.db);
    expectProblem(await publish('loose', { registry: 'team', expected_version: 7 }), 409, 'profile "loose" version conflict: expected=7 actual=1');
    expectProblem(await publish('nobody'), 404, 'profile not found');
    expectProblem(await publish('loose', { registry: 'team', extra: 1 }), 400, /validation error/);
    expectProblem(await get('/api/chat/profiles/loose?registry=team&require_signed=maybe'), 400, 'validation error (require_signed): must be true or false');
    expectProblem(await get('/api/chat/profiles/loose?registry=team&require_signed=true'), 403, 'profile "team/loose" is not signed (publish it first)');
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const unsigned = await createRegistryStore(
      openDatabase(backend === 'sqlite' ? { path: t.dbPath } : { dsn: t.cliDatabaseArgs[1] }),
    );
    const noKeys = await buildTestApp({ store: unsigned });
    try {
      expectProblem(
        await publish('loose', { registry: 'team' }, noKeys),
        503,
        'publishing needs a signing key: start the server with --signing-keys-file',
      );
      // a server without the keys cannot vouch for a signature
      const read = await noKeys.inject({ method: 'GET', url: '/api/chat/profiles/base?registry=team&require_signed=true' });
      expectProblem(read, 403, 'profile "team/base" is signed, but this server has no --signing-keys-file to check it');
    } finally {
      await noKeys.close();
      await unsigned.close();
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('keys rotate: old signatures stay valid, new ones carry the new key id', async () => {
    const rotated = await createRegistryStore(
      openDatabase(backend === 'sqlite' ? { path: t.dbPath } : { dsn: t.cliDatabaseArgs[1] }),
      { signingKeys: parseSigningKeys(keysYaml(OLD, NEW)) },
    );
    const app = await buildTestApp({ store: rotated });
    try {
      const old = await app.inject({ method: 'GET', url: '/api/chat/profiles/base?registry=team&require_signed=true' });
      expect(old.json()).toMatchObject({ signature: { key_id: OLD.id }, signature_valid: true });
      const fresh = await publish('loose', { registry: 'team' }, app);
      expect(fresh.json()).toMatchObject({ signature: { key_id: NEW.id, version: 1 }, signature_valid: true });
    } finally {
      await app.close();
      await rotated.close();
    }
    // a server that knows only the old key cannot vouch for the new signature
    expect((await get('/api/chat/profiles/loose?registry=team')).json()).toMatchObject({ signature: { key_id: NEW.id }, signature_valid: false });
    expectProblem(
      await get('/api/chat/profiles/loose?registry=team&require_signed=true'),
      403,
      'profile "team/loose" is signed with a key this server does not know',
    );
  });

  it('a projection edited with plain SQL: signature_valid false, and verify fails', async () => {
    const keysFile = join(backend === 'sqlite' ? dirname(t.dbPath as string) : '/tmp', `keys-${process.pid}-${backend}.yaml`);
    writeFileSync(keysFile, keysYaml(OLD, NEW), { mode: 0o600 });
    const ok = await runCli(['verify', '--signing-keys-file', keysFile, ...t.cliDatabaseArgs]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/, 4 signature\(s\) valid/);

    await t.store.db.run(
      "UPDATE profile_documents SET stored_json = REPLACE(stored_json, 'prompt of base', 'TAMPERED PROMPT') WHERE registry = 'team' AND slug = 'base'",
    );
    // a PostgreSQL instance serves its cache until the event log moves (an edit behind its back
    // appends no event): the next commit, any commit, makes it read the rows again
    if (backend === 'postgres') {
      await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'bystander' } });
    }
    const read = await get('/api/chat/profiles/base?registry=team');
    expect(read.json()).toMatchObject({ runtime: { system_prompt: 'TAMPERED PROMPT' }, signature_valid: false });
    expectProblem(await get('/api/chat/profiles/base?registry=team&require_signed=true'), 403, 'profile "team/base" has an invalid signature');
    const failed = await runCli(['verify', '--signing-keys-file', keysFile, ...t.cliDatabaseArgs]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('profile_documents row "team/base" differs from the events');
    expect((await runCli(['rebuild', ...t.cliDatabaseArgs])).code).toBe(0);
    if (backend === 'postgres') {
      await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'bystander-2' } });
    }
    expect((await get('/api/chat/profiles/base?registry=team&require_signed=true')).json().signature_valid).toBe(true);
  });
});

describe('a signed version rewritten with a recomputed hash chain (SQLite copy)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite', { signingKeys: parseSigningKeys(keysYaml(OLD)) });
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'analyst', runtime: { system_prompt: 'honest' } } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles/analyst/publish', payload: { registry: 'team' } });
  });
  afterAll(async () => t?.close());

  it('the chain verifies, but the signature does not: verify fails naming it and reads say signature_valid false', async () => {
    const dir = dirname(t.dbPath as string);
    const keysFile = join(dir, 'keys.yaml');
    writeFileSync(keysFile, keysYaml(OLD), { mode: 0o600 });
    const path = copySqlite(t.dbPath as string, dir);
    // a forger who knows the hashing scheme rewrites the signed content and every hash after it
    withSqlite(path, (db) => {
      const rows = db.prepare("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version").all() as (HashedFields & {
        position: number;
      })[];
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const data_json = row.data_json.replace('"honest"', '"FORGED PROMPT"');
        const hash = eventHash(prev, { ...row, data_json }, row.position);
        db.prepare('UPDATE events SET data_json = ?, prev_hash = ?, hash = ? WHERE position = ?').run(data_json, prev, hash, row.position);
        prev = hash;
      }
      db.prepare("UPDATE streams SET last_hash = ? WHERE stream_id = 'team'").run(prev);
    });
    expect((await runCli(['rebuild', '--profile-registry-db', path])).code).toBe(0);
    const result = await runCli(['verify', '--signing-keys-file', keysFile, '--profile-registry-db', path]);
    expect(result.code).not.toBe(0);
    // every event and change-feed row is sealed with the server's key over its event's hash: recomputing the chain shows there first
    expect(result.stderr).toContain('verify failed: event at position 2 (registry "team", version 2): its seal does not match (mismatch)');
    expect(result.stderr).toContain('change feed row at position 2 was edited');
    expect(result.stderr).not.toContain('run `profile-registry rebuild`');

    const store = await createRegistryStore(openDatabase({ path }), { signingKeys: parseSigningKeys(keysYaml(OLD)) });
    const app = await buildTestApp({ store });
    try {
      const read = await app.inject({ method: 'GET', url: '/api/chat/profiles/analyst?registry=team' });
      expect(read.json()).toMatchObject({ runtime: { system_prompt: 'FORGED PROMPT' }, signature_valid: false });
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/chat/resolve/analyst?registry=team&require_signed=true' }),
        403,
        'profile "team/analyst" has an invalid signature',
      );
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('signatures in registry snapshots', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite', { signingKeys: parseSigningKeys(keysYaml(OLD)), snapshotEvery: 1 });
  });
  afterAll(async () => t?.close());

  it('a snapshot keeps the signature, the past reads from it, and verify accepts the snapshots', async () => {
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
    await post('/api/registries', { slug: 'team' });
    await post('/api/chat/profiles', { registry: 'team', slug: 'analyst' });
    const signed = (await post('/api/chat/profiles/analyst/publish', { registry: 'team' })).json();
    const registryVersion = (await t.app.inject({ method: 'GET', url: '/api/registries/team' })).json().metadata.version;
    await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/analyst?registry=team', payload: { description: 'later' } });
    const snapshot = await t.store.db.get<{ state_json: string }>(
      'SELECT state_json FROM registry_snapshots WHERE stream_id = $1 AND stream_version = $2',
      ['team', registryVersion],
    );
    expect(JSON.parse(snapshot!.state_json).profile_refs[0][4]).toEqual(signed.signature);
    const asOf = await t.app.inject({ method: 'GET', url: `/api/registries/team?version=${registryVersion}` });
    expect(asOf.statusCode).toBe(200);
    const keysFile = join(dirname(t.dbPath as string), 'keys.yaml');
    writeFileSync(keysFile, keysYaml(OLD), { mode: 0o600 });
    const verify = await runCli(['verify', '--signing-keys-file', keysFile, ...t.cliDatabaseArgs]);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toMatch(/1 signature\(s\) valid/);
  });
});
