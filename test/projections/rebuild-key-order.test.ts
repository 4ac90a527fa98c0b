import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH } from '../../src/events/event-hash.js';
import type { StoredEventRow } from '../../src/events/stored-event-row.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { describeEachBackend } from '../support/backends.js';
import { projectionRows } from '../support/store-snapshot.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

type EventRow = Pick<StoredEventRow, 'position' | 'stream_id' | 'stream_version' | 'type' | 'schema_version' | 'data_json' | 'metadata_json'>;

/**
 * Events written by another writer (an older release, another language) may hold their data's keys
 * in any order: the rebuild reads what it needs by name, so the projections come out the same.
 */
describeEachBackend('a rebuild does not depend on the order of keys in event data on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
    const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': 'tester' } });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    await write('POST', '/api/registries', { slug: 'keys' });
    await write('POST', '/api/chat/profiles', { registry: 'keys', slug: 'edited', description: 'first', runtime: { system_prompt: 'v1 "quoted"' } });
    await write('POST', '/api/chat/profiles', { registry: 'keys', slug: 'kept', runtime: { tools: ['search'] } });
    await write('POST', '/api/chat/profiles', { registry: 'keys', slug: 'gone' });
    for (let round = 2; round <= 4; round++) {
      await write('PATCH', '/api/chat/profiles/edited?registry=keys', { runtime: { system_prompt: `v${round}` } });
    }
    await write('PATCH', '/api/chat/profiles/gone?registry=keys', { description: 'about to go' });
    await write('DELETE', '/api/chat/profiles/gone?registry=keys');
    await write('POST', '/api/chat/profiles', { registry: 'keys', slug: 'gone', description: 'again' });
  });
  afterAll(async () => t?.close());

  /** Writes each event's data with its top-level keys reversed, and the hash chain that goes with it. */
  const reverseDataKeys = async () => {
    const db = t.store.db;
    await db.transaction(async (tx) => {
      const rows = await tx.all<EventRow>(
        "SELECT position, stream_id, stream_version, type, schema_version, data_json, metadata_json FROM events WHERE stream_id = 'keys' ORDER BY stream_version",
      );
      let prevHash = GENESIS_HASH;
      for (const row of rows) {
        const data = JSON.parse(row.data_json) as Record<string, unknown>;
        const dataJson = JSON.stringify(Object.fromEntries(Object.entries(data).reverse()));
        const hash = eventHash(prevHash, { ...row, stream_version: Number(row.stream_version), data_json: dataJson }, Number(row.position));
        await tx.run('UPDATE events SET data_json = $1, prev_hash = $2, hash = $3 WHERE stream_id = $4 AND stream_version = $5', [
          dataJson,
          prevHash,
          hash,
          row.stream_id,
          Number(row.stream_version),
        ]);
        prevHash = hash;
      }
      await tx.run("UPDATE streams SET last_hash = $1 WHERE stream_id = 'keys'", [prevHash]);
    });
  };

  it('gives the same projection rows when profile events hold "content" before "version" and "profile"', async () => {
    const before = await projectionRows(t.store.db);
    await reverseDataKeys();
    const created = await t.store.db.get<{ data_json: string }>(
      "SELECT data_json FROM events WHERE stream_id = 'keys' AND type = 'profile.created' ORDER BY stream_version LIMIT 1",
    );
    expect(created?.data_json.startsWith('{"content":')).toBe(true);

    const progress = await rebuildProjections(t.store.db);
    expect(progress.totalEvents).toBeGreaterThanOrEqual(11);
    const after = await projectionRows(t.store.db);
    expect(after).toEqual(before);
    const edited = (after.documents as { slug: string; stored_json: string }[]).find((row) => row.slug === 'edited');
    expect(JSON.parse(edited!.stored_json)).toMatchObject({ runtime: { system_prompt: 'v4' }, description: 'first', metadata: { version: 4 } });
  });
});
