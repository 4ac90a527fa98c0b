import { afterAll, beforeAll, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { serializeRegistryState } from '../../src/projections/registry-snapshots.js';
import { verifyProjections } from '../../src/projections/verify-projections.js';
import { registryStateAtVersion, streamHeadVersion } from '../../src/projections/time-travel.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

describeEachBackend('snapshots never change a read of the past on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(), snapshotEvery: 5 });
    const write = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, payload, headers: { 'x-actor': 'tester' } });
    await write('POST', '/api/registries', { slug: 'snap' });
    for (let round = 0; round < 8; round++) {
      await write('POST', '/api/chat/profiles', { registry: 'snap', slug: `p${round}`, set_default: round % 3 === 0 });
      await write('PATCH', `/api/chat/profiles/p${round}?registry=snap`, { runtime: { tools: [`tool-${round}`] } });
      if (round % 2 === 1) await write('DELETE', `/api/chat/profiles/p${round - 1}?registry=snap`);
    }
  });
  afterAll(async () => t?.close());

  const allStates = async (useSnapshots: boolean) => {
    const head = await streamHeadVersion(t.store.db, 'snap');
    const states: unknown[] = [];
    for (let version = 1; version <= head; version++) {
      const state = await registryStateAtVersion(t.store.db, 'snap', version, { useSnapshots });
      states.push(JSON.parse(serializeRegistryState(state!)));
    }
    return states;
  };

  it('takes snapshots as the registry grows, and every past state is the same with or without them', async () => {
    const count = await t.store.db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM registry_snapshots WHERE stream_id = 'snap'");
    expect(Number(count?.n)).toBeGreaterThanOrEqual(4);
    const folded = await allStates(false);
    expect(await allStates(true)).toEqual(folded);
    expect(await verifyProjections(t.store.db)).toEqual([]);
    expect((folded[0] as { version: number }).version).toBe(1);

    const withSnapshots = await t.app.inject({ method: 'GET', url: '/api/registries/snap?version=17' });
    await t.store.db.exec('DELETE FROM registry_snapshots');
    const without = await t.app.inject({ method: 'GET', url: '/api/registries/snap?version=17' });
    expect(without.statusCode).toBe(200);
    expect(without.body).toBe(withSnapshots.body);

    await rebuildProjections(t.store.db, { snapshotEvery: 4 });
    const rebuilt = await t.store.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM registry_snapshots');
    expect(Number(rebuilt?.n)).toBeGreaterThan(0);
    expect(await allStates(true)).toEqual(folded);
  });
});
