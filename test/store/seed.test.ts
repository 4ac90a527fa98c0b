import { afterEach, expect, it } from 'vitest';
import { listProfileSummaries } from '../../src/projections/read-model.js';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

describeEachBackend('seeding on %s', (backend) => {
  let t: TestStore;
  afterEach(async () => t?.close());

  it('seeds an empty store with registry default holding profile default, once', async () => {
    t = await openTestStore(backend);
    expect(await seedDefaultRegistry(t.store)).toBe(true);
    expect(await seedDefaultRegistry(t.store)).toBe(false);
    const [profile] = JSON.parse((await listProfileSummaries(t.store.db, 'default')).body.toString('utf8'));
    expect(profile).toMatchObject({ slug: 'default', default_prompt: 'You are an assistant', is_default: true, version: 1 });
    const events = await t.store.db.events.readStream('default');
    expect(events.map((event) => [event.type, event.metadata.source])).toEqual([
      ['registry.created', 'bootstrap'],
      ['profile.created', 'bootstrap'],
      ['registry.default_profile_changed', 'bootstrap'],
    ]);
  });

  it('lets two instances start on one empty database at once', async () => {
    t = await openTestStore(backend);
    const other = await t.reopen();
    const seeded = await Promise.all([seedDefaultRegistry(t.store), seedDefaultRegistry(other)]);
    expect(seeded.filter(Boolean)).toHaveLength(1);
    expect((await t.store.db.events.readStream('default')).map((event) => event.type)).toEqual([
      'registry.created',
      'profile.created',
      'registry.default_profile_changed',
    ]);
  });
});
