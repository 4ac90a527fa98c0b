import { afterAll, beforeAll, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

describeEachBackend('the event log on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
  });
  afterAll(async () => t?.close());

  it('keeps (stream_id, stream_version) unique even past the version check', async () => {
    const db = t.store.db;
    const created: DomainEvent = {
      type: 'registry.created',
      data: { slug: 'alpha' },
      schema_version: CURRENT_SCHEMA_VERSION['registry.created'],
      metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: 1000 },
    };
    await db.transaction((tx) => tx.events.appendToStream('alpha', 0, [created]));
    const before = await storeSnapshot(db);
    const duplicate = db.transaction((tx) =>
      tx.run(
        `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
         VALUES ('alpha', 1, 'registry.updated', 1, '{}', '{}', 0, 'x', 'y')`,
      ),
    );
    await expect(duplicate).rejects.toThrow(/unique/i);
    expect(await storeSnapshot(db)).toEqual(before);
  });
});
