import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { foldEvents } from '../../src/events/evolve.js';
import { openDatabase } from '../../src/events/open-database.js';
import type { SqlDatabase, SqlExecutor } from '../../src/events/sql-database.js';
import { loadRegistryState } from '../../src/projections/load-registry-state.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { roleProfiles } from '../support/role-profiles.js';
import { describeEachBackend } from '../support/backends.js';
import { projectionRows } from '../support/store-snapshot.js';
import { openTestStore, steppingClock, tempDir, type TestStore, buildTestApp } from '../support/test-store.js';

/** What a client can read of the store over HTTP. */
const everyRead = async (app: FastifyInstance) => {
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    return { status: response.statusCode, etag: response.headers.etag, body: response.body };
  };
  const reads: Record<string, unknown> = {};
  for (const url of ['/api/registries', '/api/registries/default', '/api/registries/staff', '/api/registries/scratch', '/api/chat/profiles', '/api/chat/profiles?registry=staff', '/api/chat/profiles/tmp?registry=scratch']) {
    reads[url] = await get(url);
  }
  for (const { slug } of roleProfiles()) reads[slug] = await get(`/api/chat/profiles/${slug}?registry=staff`);
  return reads;
};

const stamp = { source: z.string(), created_at_ms: z.number(), updated_at_ms: z.number(), created_by: z.string(), updated_by: z.string() };
/** The registry of API.md section 1. */
const registrySchema = z.strictObject({
  slug: z.string(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  default_profile_slug: z.string().optional(),
  profiles: z.record(
    z.string(),
    z.strictObject({
      slug: z.string(),
      display_name: z.string().optional(),
      description: z.string().optional(),
      runtime: z.record(z.string(), z.unknown()),
      policy: z.strictObject({
        allow_overrides: z.boolean(),
        allowed_override_keys: z.array(z.string()),
        denied_override_keys: z.array(z.string()),
        read_only: z.boolean(),
      }),
      metadata: z.strictObject({ ...stamp, version: z.number().int().positive(), tags: z.array(z.string()).optional() }),
      extensions: z.record(z.string(), z.unknown()).optional(),
      stack: z.array(z.object({ profile_slug: z.string() })).optional(),
    }),
  ),
  metadata: z.strictObject({ ...stamp, version: z.number().int().positive() }),
});

describeEachBackend('persistence on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let store: RegistryStore;

  const inject = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await app.inject({ method, url, payload: payload as Record<string, unknown> });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response;
  };

  beforeAll(async () => {
    t = await openTestStore(backend, { now: steppingClock() });
    store = t.store;
    app = await buildTestApp({ store });
    await seedDefaultRegistry(store);
    await inject('POST', '/api/registries', { slug: 'staff', display_name: 'Staff roles' });
    for (const body of roleProfiles()) await inject('POST', '/api/chat/profiles', body);
    await inject('PATCH', '/api/chat/profiles/buyer?registry=staff', { display_name: 'Senior Buyer', expected_version: 1 });
    await inject('PATCH', '/api/chat/profiles/data-engineer?registry=staff', { runtime: { system_prompt: 'You write code' } });
    await inject('POST', '/api/chat/profiles/counsel/default', { registry: 'staff' });
    await inject('DELETE', '/api/chat/profiles/writer?registry=staff&expected_version=1');
    await inject('DELETE', '/api/chat/profiles/recruiter?registry=staff');
    await inject('POST', '/api/chat/profiles', { registry: 'staff', slug: 'recruiter', description: 'back again' });
    await inject('PATCH', '/api/registries/staff', { description: 'The staff roles' });
    await inject('POST', '/api/registries', { slug: 'scratch', display_name: 'Scratch' });
    await inject('POST', '/api/chat/profiles', { registry: 'scratch', slug: 'tmp', metadata: { tags: ['x'] } });
    await inject('DELETE', '/api/registries/scratch');
    await inject('POST', '/api/registries', { slug: 'scratch', description: 'second life' });
    await inject('POST', '/api/chat/profiles', { registry: 'scratch', slug: 'tmp' });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('reads the same after the store is closed and opened again', async () => {
    const before = await everyRead(app);
    expect((before.recruiter as { body: string }).body).toContain('"version":3');
    const rowsBefore = await projectionRows(store.db);
    await app.close();
    await store.close();

    store = await t.reopen();
    app = await buildTestApp({ store });
    expect(await everyRead(app)).toEqual(before);
    expect(await projectionRows(store.db)).toEqual(rowsBefore);
  });

  it('loads from the projection the same state a fold of the events gives', async () => {
    for (const registry of ['default', 'staff', 'scratch']) {
      expect(await loadRegistryState(store.db, registry)).toEqual(foldEvents(await store.db.events.readStream(registry), registry));
    }
  });

  it('continues the versions of a re-created registry and its profiles', async () => {
    const scratch = JSON.parse((await app.inject({ method: 'GET', url: '/api/registries/scratch' })).body);
    expect(scratch).toMatchObject({ slug: 'scratch', description: 'second life', default_profile_slug: 'tmp', metadata: { version: 7 } });
    expect(scratch).not.toHaveProperty('display_name');
    expect(scratch.profiles.tmp.metadata).toMatchObject({ version: 2 });
    expect(scratch.profiles.tmp.metadata).not.toHaveProperty('tags');
  });

  it('keeps writing where it left off after a reopen', async () => {
    const patched = await inject('PATCH', '/api/chat/profiles/buyer?registry=staff', { description: 'after reopen', expected_version: 2 });
    expect(patched.json().metadata.version).toBe(3);
    const recreated = await inject('POST', '/api/chat/profiles', { registry: 'staff', slug: 'writer' });
    expect(recreated.json().metadata.version).toBe(3);
  });

  it('rebuilds byte-identical projection rows from the events', async () => {
    const before = await projectionRows(store.db);
    expect(before.registries).toHaveLength(3);
    expect(before.documents).toHaveLength(roleProfiles().length + 2); // the roles, default/default, scratch/tmp
    const progress = await rebuildProjections(store.db);
    expect(progress.registries).toBe(3);
    expect(await projectionRows(store.db)).toEqual(before);
  });

  it('stores each registry as the registry of API.md section 1', async () => {
    const rows = await projectionRows(store.db); // in slug order: default, scratch, staff
    const staff = registrySchema.parse(JSON.parse((rows.registries[2] as { payload_text: string }).payload_text));
    expect(staff).toMatchObject({ slug: 'staff', display_name: 'Staff roles', description: 'The staff roles', default_profile_slug: 'counsel' });
    expect(Object.keys(staff.profiles).sort()).toEqual(roleProfiles().map(({ slug }) => slug).sort());
    expect(staff.profiles.buyer.metadata).toMatchObject({ version: 3, created_by: 'anonymous', source: 'http-api' });
    expect(staff.profiles.buyer.display_name).toBe('Senior Buyer');
    expect(staff.profiles.counsel.extensions?.['staff.privacy@v1']).toMatchObject({ local_only: true });
    const events = await store.db.events.readStream('staff');
    expect(staff.metadata.version).toBe(events.length);
    const defaults = registrySchema.parse(JSON.parse((rows.registries[0] as { payload_text: string }).payload_text));
    expect(defaults.profiles.default.runtime).toEqual({ system_prompt: 'You are an assistant' });
    expect(defaults.profiles.default.metadata.source).toBe('bootstrap');
  });
});

describe('the SQLite DSN', () => {
  const pragmas = async (db: SqlDatabase) => {
    const read = async (executor: SqlExecutor) => ({
      journal_mode: Object.values((await executor.get<object>('PRAGMA journal_mode')) ?? {})[0],
      busy_timeout: Object.values((await executor.get<object>('PRAGMA busy_timeout')) ?? {})[0],
      foreign_keys: Object.values((await executor.get<object>('PRAGMA foreign_keys')) ?? {})[0],
      synchronous: Object.values((await executor.get<object>('PRAGMA synchronous')) ?? {})[0],
    });
    return { reader: await read(db), writer: await db.transaction(read), durableCommits: db.durableCommits };
  };
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('honours _journal_mode, _busy_timeout, _foreign_keys and _synchronous', async () => {
    const path = join(dir.dir, 'nested', 'p.db');
    const db = openDatabase({ dsn: `file:${path}?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=FULL` });
    // the server's connections never sleep in SQLite's busy handler (it would stall the event loop):
    // _busy_timeout is how long they wait for a lock on timers (test/e2e/sqlite-locks.test.ts)
    const expected = { journal_mode: 'wal', busy_timeout: 0, foreign_keys: 1, synchronous: 2 };
    // in WAL mode the writer commits with NORMAL and the store fsyncs the WAL before a write resolves
    const writer = { ...expected, synchronous: 1 };
    expect(await pragmas(db)).toEqual({ reader: expected, writer, durableCommits: true });
    await db.close();

    const other = openDatabase({ dsn: `file:${join(dir.dir, 'q.db')}?_journal_mode=DELETE&_busy_timeout=1234&_foreign_keys=off&_synchronous=NORMAL` });
    const honoured = { journal_mode: 'delete', busy_timeout: 0, foreign_keys: 0, synchronous: 1 };
    expect(await pragmas(other)).toEqual({ reader: honoured, writer: honoured, durableCommits: false });

    const rollbackJournal = openDatabase({ dsn: `file:${join(dir.dir, 's.db')}?_journal_mode=DELETE&_synchronous=FULL` });
    const fullBySqlite = { journal_mode: 'delete', busy_timeout: 0, foreign_keys: 1, synchronous: 2 };
    expect(await pragmas(rollbackJournal)).toEqual({ reader: fullBySqlite, writer: fullBySqlite, durableCommits: true });
    await rollbackJournal.close();
    await other.close();
  });

  it('creates the database file with mode 0600, in WAL mode with a busy timeout and foreign keys', async () => {
    const path = join(dir.dir, 'fresh', 'profiles.db');
    const db = openDatabase({ path });
    await db.transaction(async (tx) => tx.exec('CREATE TABLE t (x INTEGER)'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const defaults = { journal_mode: 'wal', busy_timeout: 0, foreign_keys: 1, synchronous: 2 };
    expect(await pragmas(db)).toEqual({ reader: defaults, writer: { ...defaults, synchronous: 1 }, durableCommits: true });
    await db.close();
  });

  it('refuses a DSN without a path or with a bad parameter', () => {
    expect(() => openDatabase({ dsn: 'file:?_journal_mode=WAL' })).toThrow('invalid SQLite DSN: no file path in "file:?_journal_mode=WAL"');
    expect(() => openDatabase({ dsn: `file:${join(dir.dir, 'r.db')}?_journal_mode=FAST` })).toThrow('invalid SQLite DSN: _journal_mode=FAST');
  });
});
