import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RegistryState } from '../../src/events/registry-state.js';
import { nearestSnapshot, snapshotJson } from '../../src/events/snapshots.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { serializeRegistryState } from '../../src/projections/registry-snapshots.js';
import { registryStateAtVersion, streamHeadVersion } from '../../src/projections/time-travel.js';
import { verifyProjections } from '../../src/projections/verify-projections.js';
import { roleProfiles } from '../support/role-profiles.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestStore, steppingClock, type TestStore } from '../support/test-store.js';

const context = { actor: 'tester', source: 'test', request_id: 'r' };

/** The three forms snapshots were written in before they carried a format: each profile whole (twice), then refs. */
const earlierForms = (state: RegistryState): string[] => {
  const { format: _format, ...refs } = JSON.parse(snapshotJson(state)) as { format: number };
  return [
    JSON.stringify({ ...state, profiles: [...state.profiles], tombstones: [...state.tombstones] }),
    serializeRegistryState(state),
    JSON.stringify(refs),
  ];
};

describeEachBackend('snapshots of earlier formats on %s', (backend) => {
  let t: TestStore;
  let states: RegistryState[];
  beforeEach(async () => {
    t = await openTestStore(backend, { now: steppingClock(), snapshotEvery: 0 });
    await t.store.execute({ type: 'create_registry', registry: 'staff' }, context);
    for (const { slug, registry: _registry, ...fields } of roleProfiles()) {
      await t.store.execute({ type: 'create_profile', registry: 'staff', slug, fields }, context);
      await t.store.execute({ type: 'update_profile', registry: 'staff', slug, fields: { description: `${slug} again` } }, context);
    }
    const head = await streamHeadVersion(t.store.db, 'staff');
    const versions = [3, Math.floor(head / 2), head];
    states = await Promise.all(versions.map(async (v) => (await registryStateAtVersion(t.store.db, 'staff', v, { useSnapshots: false }))!));
    // as an earlier server left them: plain rows in the snapshot table, one per earlier form
    for (const [i, state] of states.entries()) {
      await t.store.db.run('INSERT INTO registry_snapshots (stream_id, stream_version, state_json) VALUES ($1, $2, $3)', [
        'staff',
        state.version,
        earlierForms(state)[i],
      ]);
    }
  });
  afterEach(async () => t?.close());

  it('are not read before the rebuild (reads and writes fold past them) and verify names them', async () => {
    for (const state of states) {
      expect(await nearestSnapshot(t.store.db, 'staff', state.version)).toBeUndefined();
      expect(await registryStateAtVersion(t.store.db, 'staff', state.version)).toEqual(state);
    }
    expect((await verifyProjections(t.store.db)).map((mismatch) => mismatch.detail)).toEqual([expect.stringMatching(/^snapshot at version \d+ is of an earlier format/)]);
    await t.store.execute({ type: 'update_profile', registry: 'staff', slug: roleProfiles()[0]!.slug, fields: { description: 'edited before the rebuild' } }, context);
  });

  it('are rewritten in the current format by the rebuild, and reads of the past then use them', async () => {
    await rebuildProjections(t.store.db);
    const rows = await t.store.db.all<{ stream_version: number | string; state_json: string }>(
      "SELECT stream_version, state_json FROM registry_snapshots WHERE stream_id = 'staff' ORDER BY stream_version",
    );
    expect(rows.map((row) => [Number(row.stream_version), row.state_json])).toEqual(states.map((s) => [s.version, snapshotJson(s)]));
    for (const state of states) {
      expect(await nearestSnapshot(t.store.db, 'staff', state.version)).toEqual(state);
      expect(await registryStateAtVersion(t.store.db, 'staff', state.version)).toEqual(state);
    }
    expect(await verifyProjections(t.store.db)).toEqual([]);
    // the decider of a fresh store starts from the converted snapshot and goes on writing
    const again = await t.reopen();
    const slug = roleProfiles()[1]!.slug;
    const outcome = await again.execute({ type: 'update_profile', registry: 'staff', slug, fields: { description: 'edited after the rebuild' } }, context);
    expect(outcome.events.map((event) => [event.type, event.stream_version])).toEqual([['profile.updated', states[2]!.version + 1]]);
  });
});
