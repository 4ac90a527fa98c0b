import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { backupSqlite } from '../../src/events/sqlite/backup-sqlite.js';
import { createRegistryStore, type RegistryStore } from '../../src/use-cases/registry-store.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { verifyStore } from '../../src/projections/verify-store.js';
import { describeEachBackend } from '../support/backends.js';
import { projectionRows } from '../support/store-snapshot.js';
import { openTestStore, type Backend, type TestStore } from '../support/test-store.js';

const KEY = 'sk-test-fingerprint-key-0001';
const context = { actor: 'tester', source: 'test', request_id: 'fingerprint-key' };

const digests = async (t: TestStore, db = t.store.db) => ({
  documents: await db.all<{ slug: string; fingerprint: string; etag: string }>('SELECT slug, fingerprint, etag FROM profile_documents ORDER BY slug'),
  feed: await db.all<{ position: number; affected_json: string }>('SELECT position, affected_json FROM change_affected ORDER BY position'),
});

describeEachBackend('the fingerprint key of a store on %s', (backend: Backend) => {
  let t: TestStore;
  /** The store opened last (a store keeps the key it opened with). */
  let current: RegistryStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
    await t.store.execute({ type: 'create_registry', registry: 'team' }, context);
    const runtime = { step_settings_patch: { 'openai-chat': { 'openai-api-key': KEY, 'openai-base-url': 'https://api.openai.com/v1' } } };
    await t.store.execute({ type: 'create_profile', registry: 'team', slug: 'base', fields: { runtime } }, context);
    await t.store.execute({ type: 'create_profile', registry: 'team', slug: 'plain', fields: { runtime: { system_prompt: 'hi' } } }, context);
    await t.store.execute({ type: 'create_profile', registry: 'team', slug: 'leaf', fields: { stack: [{ profile_slug: 'base' }] } }, context);
  });
  afterAll(async () => t?.close());

  it('is made once with the store and kept by every instance and restart', async () => {
    const row = await t.store.db.get<{ key_hex: string }>('SELECT key_hex FROM fingerprint_key WHERE id = 1');
    expect(row?.key_hex).toMatch(/^[0-9a-f]{64}$/);
    const before = await digests(t);
    const again = await t.reopen();
    expect(await again.db.get('SELECT key_hex FROM fingerprint_key WHERE id = 1')).toEqual(row);
    expect(await digests(t, again.db)).toEqual(before);
  });

  it('on a store from before keys, digests every document and change-feed row again, once, as a rebuild would', async () => {
    const before = await digests(t);
    // a database written before keys: no key table (its digests are what it holds)
    await t.store.db.exec('DROP TABLE fingerprint_key');
    const upgraded = await t.reopen();
    const after = await digests(t, upgraded.db);
    const byslug = (rows: typeof before.documents) => Object.fromEntries(rows.map((each) => [each.slug, each]));
    // profiles with a secret in their effective runtime (base, and leaf through its stack) get new fingerprints; every ETag is new
    expect(byslug(after.documents).base.fingerprint).not.toBe(byslug(before.documents).base.fingerprint);
    expect(byslug(after.documents).leaf.fingerprint).not.toBe(byslug(before.documents).leaf.fingerprint);
    expect(byslug(after.documents).plain.fingerprint).toBe(byslug(before.documents).plain.fingerprint);
    for (const slug of ['base', 'plain', 'leaf']) expect(byslug(after.documents)[slug].etag).not.toBe(byslug(before.documents)[slug].etag);
    // the feed's history no longer shows a plain digest, and its rows are sealed again
    expect(after.feed.map((row) => row.position)).toEqual(before.feed.map((row) => row.position));
    for (const [index, row] of after.feed.entries()) expect(row.affected_json).not.toBe(before.feed[index].affected_json);
    expect((await verifyStore(upgraded.db)).findings).toEqual([]);
    // the rows are what a rebuild from the events gives, and a later start changes nothing
    const rows = await projectionRows(upgraded.db);
    await rebuildProjections(upgraded.db);
    expect(await projectionRows(upgraded.db)).toEqual(rows);
    current = await t.reopen();
    expect(await digests(t, current.db)).toEqual(after);
  });

  if (backend === 'sqlite') {
    it('is copied by a backup: the restored store digests as the original', async () => {
      const copy = join(t.dbPath as string, '..', 'backup.db');
      backupSqlite(t.dbPath as string, copy, { overwrite: false });
      const restored = await createRegistryStore(openDatabase({ path: copy }));
      try {
        expect(await digests(t, restored.db)).toEqual(await digests(t));
        const written = await restored.execute(
          { type: 'create_profile', registry: 'team', slug: 'twin', fields: { runtime: { step_settings_patch: { 'openai-chat': { 'openai-api-key': KEY } } } } },
          context,
        );
        const original = await current.execute(
          { type: 'create_profile', registry: 'team', slug: 'twin', fields: { runtime: { step_settings_patch: { 'openai-chat': { 'openai-api-key': KEY } } } } },
          context,
        );
        expect(written.rendered.document?.fingerprint).toBe(original.rendered.document?.fingerprint);
      } finally {
        await restored.close();
      }
    });
  }
});
