import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { describeEachWriteSide, type WriteSideUnderTest } from '../support/write-sides.js';

const context = { actor: 'test', source: 'test', request_id: 'r' };
const create = (slug: string) => ({ type: 'create_profile' as const, registry: 'default', slug, fields: {} });
const profilesOf = async (w: WriteSideUnderTest) =>
  (await w.events.readStream('default')).flatMap((event) => (event.type === 'profile.created' ? [event.data.profile] : []));

describeEachWriteSide('commands of one batch, each in its own savepoint, on %s', (open) => {
  let w: WriteSideUnderTest;
  beforeEach(async () => {
    w = await open();
    await w.bus.execute({ type: 'create_registry', registry: 'default' }, context);
    await w.bus.execute(create('default'), context);
  });
  afterEach(async () => w?.close());

  it('a command failing after its events were folded and projected takes back only its own events and documents', async () => {
    const kept = w.bus.execute(create('kept'), context);
    const failed = w.bus.execute(create('failed'), context, {
      beforeCommit: async () => {
        throw new Error('response could not be recorded');
      },
    });
    const after = w.bus.execute(create('after'), context);
    await expect(kept).resolves.toBeDefined();
    await expect(failed).rejects.toThrow('response could not be recorded');
    await expect(after).resolves.toBeDefined();
    expect(await profilesOf(w)).toEqual(['default', 'kept', 'after']);
    expect(await w.projections.storedFingerprint('default', 'kept')).toEqual(expect.any(String));
    expect(await w.projections.storedFingerprint('default', 'failed')).toBeNull();
    const head = await w.events.streamHead('default');
    const next = await w.bus.execute(create('failed'), context);
    expect(next.events.map((event) => [event.stream_version, event.prev_hash])).toEqual([[head.version + 1, head.hash]]);
    expect(await w.projections.storedFingerprint('default', 'failed')).toBe(next.rendered.document?.fingerprint);
  });

  it('a command refused before deciding, or by the decider, leaves its batch-mates to commit', async () => {
    const outcomes = await Promise.allSettled([
      w.bus.execute(create('refused'), context, {
        beforeDecide: async () => {
          throw new Error('idempotency key taken');
        },
      }),
      w.bus.execute(create('default'), context),
      w.bus.execute(create('fine'), context),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(outcomes[1].status === 'rejected' && isDomainError(outcomes[1].reason)).toBe(true);
    expect(await profilesOf(w)).toEqual(['default', 'fine']);
    expect(await w.projections.storedFingerprint('default', 'refused')).toBeNull();
  });

  it('tells onCommit listeners the events each commit made durable, and nothing of a failed command', async () => {
    const heard: string[] = [];
    const stop = w.bus.onCommit((events) => heard.push(...events.map((event) => event.type)));
    await Promise.allSettled([
      w.bus.execute(create('one'), context),
      w.bus.execute(create('two'), context, { beforeCommit: () => Promise.reject(new Error('no')) }),
    ]);
    stop();
    expect(heard).toEqual(['profile.created']);
  });
});

describeEachBackend('a command failing after its events were folded, on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('leaves the projection rows equal to a rebuild', async () => {
    const kept = t.store.execute(create('kept'), context);
    const failed = t.store.bus.execute(create('failed'), context, {
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
  });
});
