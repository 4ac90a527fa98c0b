import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendToStream, readStreamHead } from '../../src/events/append-to-stream.js';
import { eventHash, GENESIS_HASH } from '../../src/events/event-hash.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { readAll, readStream } from '../../src/events/read-events.js';
import { StreamVersionConflict } from '../../src/events/stream-version-conflict.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const event = (body: EventBody, at: number): DomainEvent =>
  ({ ...body, schema_version: CURRENT_SCHEMA_VERSION[body.type], metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: at } }) as DomainEvent;

const renamed = (name: string, at: number) => event({ type: 'registry.updated', data: { display_name: name } }, at);

describeEachBackend('the event store on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
  });
  afterAll(async () => t?.close());

  it('appends at the expected version with versions, positions and a hash chain', async () => {
    const db = t.store.db;
    const first = await db.transaction((tx) =>
      appendToStream(tx, 'alpha', 0, [event({ type: 'registry.created', data: { slug: 'alpha' } }, 1000), renamed('A', 2000)]),
    );
    await db.transaction((tx) => appendToStream(tx, 'beta', 0, [event({ type: 'registry.created', data: { slug: 'beta' } }, 2500)]));
    const more = await db.transaction((tx) => appendToStream(tx, 'alpha', 2, [renamed('B', 3000)]));

    const alpha = await readStream(db, 'alpha');
    expect(alpha.map((e) => e.stream_version)).toEqual([1, 2, 3]);
    expect(alpha.map((e) => e.position)).toEqual([...first, ...more].map((e) => e.position));
    expect(alpha[0].prev_hash).toBe(GENESIS_HASH);
    for (const [i, stored] of alpha.entries()) {
      if (i > 0) expect(stored.prev_hash).toBe(alpha[i - 1].hash);
      const fields = {
        stream_id: stored.stream_id,
        stream_version: stored.stream_version,
        type: stored.type,
        schema_version: stored.schema_version,
        data_json: JSON.stringify(stored.data),
        metadata_json: JSON.stringify(stored.metadata),
      };
      expect(eventHash(stored.prev_hash, fields)).toBe(stored.hash);
    }
    expect(await readStreamHead(db, 'alpha')).toEqual({ version: 3, hash: alpha[2].hash });

    const all = await readAll(db);
    expect(all.map((e) => [e.stream_id, e.stream_version])).toEqual([['alpha', 1], ['alpha', 2], ['beta', 1], ['alpha', 3]]);
    expect((await readAll(db, { after: all[1].position, limit: 1 })).map((e) => e.stream_id)).toEqual(['beta']);
    expect((await readAll(db, { streamId: 'alpha', after: all[0].position })).map((e) => e.stream_version)).toEqual([2, 3]);
    expect((await readStream(db, 'alpha', { fromVersion: 2, toVersion: 2 })).map((e) => e.data)).toEqual([{ display_name: 'A' }]);
    expect((await readStream(db, 'alpha', { untilMs: 2000 })).map((e) => e.stream_version)).toEqual([1, 2]);
  });

  it('refuses a stale expected version and writes nothing', async () => {
    const db = t.store.db;
    const before = await storeSnapshot(db);
    const stale = db.transaction((tx) => appendToStream(tx, 'alpha', 2, [renamed('C', 4000)]));
    await expect(stale).rejects.toBeInstanceOf(StreamVersionConflict);
    await expect(stale).rejects.toThrow('stream "alpha" version conflict: expected=2 actual=3');
    expect(await storeSnapshot(db)).toEqual(before);
  });

  it('keeps (stream_id, stream_version) unique even past the version check', async () => {
    const db = t.store.db;
    const before = await storeSnapshot(db);
    const duplicate = db.transaction((tx) =>
      tx.run(
        `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
         VALUES ('alpha', 3, 'registry.updated', 1, '{}', '{}', 0, 'x', 'y')`,
      ),
    );
    await expect(duplicate).rejects.toThrow(/unique/i);
    expect(await storeSnapshot(db)).toEqual(before);
  });
});
