import { afterAll, beforeAll, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { seedDefaultRegistry } from '../../src/projections/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const context = { actor: 'test', source: 'test', request_id: 'r' };

describeEachBackend('a command failing after its events were folded, on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('leaves the batch-mates it shares a registry with intact, and the rows equal to a rebuild', async () => {
    const kept = t.store.execute({ type: 'create_profile', registry: 'default', slug: 'kept', fields: {} }, context);
    const failed = t.store.execute({ type: 'create_profile', registry: 'default', slug: 'failed', fields: {} }, context, {
      beforeCommit: async () => {
        throw new Error('response could not be recorded');
      },
    });
    await expect(kept).resolves.toBeDefined();
    await expect(failed).rejects.toThrow('response could not be recorded');
    const after = await storeSnapshot(t.store.db);
    expect(after.documents.map((row) => (row as { slug: string }).slug)).toEqual(['default', 'kept']);
    await rebuildProjections(t.store.db);
    expect(await storeSnapshot(t.store.db)).toEqual(after);
    const next = await t.store.execute({ type: 'create_profile', registry: 'default', slug: 'failed', fields: {} }, context);
    expect(next.events).toHaveLength(1);
  });
});
