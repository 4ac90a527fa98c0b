import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RegistryState } from '../../src/events/registry-state.js';
import { nearestSnapshot, readSnapshot, snapshotJson, writeSnapshot } from '../../src/events/snapshots.js';
import { serializeRegistryState } from '../../src/projections/registry-snapshots.js';
import { registryStateAtVersion, streamHeadVersion } from '../../src/projections/time-travel.js';
import { roleProfiles } from '../support/role-profiles.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestStore, steppingClock, type TestStore } from '../support/test-store.js';

const context = { actor: 'tester', source: 'test', request_id: 'r' };

describeEachBackend('registry snapshots on %s', (backend) => {
  let t: TestStore;
  let state: RegistryState;
  beforeAll(async () => {
    t = await openTestStore(backend, { now: steppingClock(), snapshotEvery: 0 });
    await t.store.execute({ type: 'create_registry', registry: 'staff' }, context);
    const roles = roleProfiles();
    for (const role of roles) {
      const { slug, registry: _registry, ...fields } = role;
      await t.store.execute({ type: 'create_profile', registry: 'staff', slug, fields }, { ...context, actor: `author-${slug}` });
    }
    await t.store.execute(
      { type: 'update_profile', registry: 'staff', slug: roles[1]!.slug, fields: { description: 'edited later' } },
      { ...context, actor: 'editor' },
    );
    await t.store.execute({ type: 'delete_profile', registry: 'staff', slug: roles[2]!.slug }, context);
    const head = await streamHeadVersion(t.store.db, 'staff');
    state = (await registryStateAtVersion(t.store.db, 'staff', head, { useSnapshots: false }))!;
  });
  afterAll(async () => t?.close());

  it('name each profile by its version instead of copying it, and read back the state they were taken from', async () => {
    expect(state.profiles.size).toBe(roleProfiles().length - 1); // one was deleted
    expect(state.tombstones.size).toBe(1);
    await writeSnapshot(t.store.db, state);
    const saved = await t.store.db.get<{ state_json: string }>("SELECT state_json FROM registry_snapshots WHERE stream_id = 'staff'");
    expect(saved?.state_json).toBe(snapshotJson(state));
    expect(saved!.state_json.length * 10).toBeLessThan(serializeRegistryState(state).length);
    const read = await nearestSnapshot(t.store.db, 'staff', state.version);
    expect(serializeRegistryState(read!)).toBe(serializeRegistryState(state));
    expect(read).toEqual(state);
  });

  it('carry their format and leave snapshots of earlier forms unread (the rebuild converts them)', async () => {
    expect(JSON.parse(snapshotJson(state))).toMatchObject({ format: 3 });
    const storedForm = serializeRegistryState(state);
    expect(await readSnapshot(t.store.db, storedForm)).toBeUndefined();
    const { format: _format, ...refsWithoutFormat } = JSON.parse(snapshotJson(state)) as { format: number };
    expect(await readSnapshot(t.store.db, JSON.stringify(refsWithoutFormat))).toBeUndefined();
  });

  it('refuse a snapshot that names a profile version no event made', async () => {
    const broken = JSON.parse(snapshotJson(state)) as { profile_refs: [string, number, number, string][] };
    broken.profile_refs[0]![1] = 99;
    await expect(readSnapshot(t.store.db, JSON.stringify(broken))).rejects.toThrow(/version 99, which no event made/);
  });
});
