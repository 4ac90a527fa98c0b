import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import type { AffectedProfile } from '../../src/events/change-feed.js';
import { verifyHashChain } from '../../src/events/verify-hash-chain.js';
import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { describeEachBackend } from '../support/backends.js';
import type { TestStore } from '../support/test-store.js';
import { actorContext as context, openTwoInstances } from '../support/two-instances.js';
const update = (slug: string, fields: Record<string, unknown>, expected_version?: number) => ({
  type: 'update_profile' as const,
  registry: 'a',
  slug,
  fields,
  ...(expected_version === undefined ? {} : { expected_version }),
});

/**
 * A batch of single commands runs ahead on what this instance wrote last (the stream's head, the
 * last position, each document's fingerprint) and has those guesses confirmed before it commits;
 * another instance's write makes them wrong, and the batch must then come out as if it had waited.
 */
describeEachBackend('a batch run ahead on guesses another instance made wrong, on %s', (backend) => {
  let t: TestStore;
  let first: RegistryStore;
  let second: RegistryStore;
  beforeAll(async () => {
    ({ t, first, second } = await openTwoInstances(backend));
    for (const registry of ['a', 'b']) await first.execute({ type: 'create_registry', registry }, context('setup'));
    for (const slug of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await first.execute({ type: 'create_profile', registry: 'a', slug, fields: { description: 'v1' } }, context('setup'));
    }
    await first.execute({ type: 'create_profile', registry: 'b', slug: 'q', fields: { description: 'v1' } }, context('setup'));
  });
  afterAll(async () => t?.close());

  it('gives each write its own answer, and positions and chains without a gap, after the other moved the last position', async () => {
    await first.execute(update('p1', { description: 'warm' }), context('first'));
    await second.execute({ type: 'update_profile', registry: 'b', slug: 'q', fields: { description: 'moved' } }, context('second'));
    const head = (await second.db.events.streamHead('a')).version;
    const outcomes = await Promise.allSettled([
      first.execute(update('p1', { description: 'one' }), context('first')),
      first.execute(update('p2', { description: 'two' }, 7), context('first')),
      first.execute(update('p3', { description: 'three' }), context('first')),
      first.execute(update('p4', { description: 'four' }), context('first')),
    ]);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.rendered.document?.version : 'refused'))).toEqual([
      3,
      'refused',
      2,
      2,
    ]);
    const refused = outcomes[1].status === 'rejected' ? outcomes[1].reason : undefined;
    expect(isDomainError(refused) && refused.message).toBe('profile "p2" version conflict: expected=7 actual=1');
    // every write that was answered is in the log
    const versions = (await second.db.events.readStream('a')).map((event) => event.stream_version);
    expect(versions).toEqual(Array.from({ length: head + 3 }, (_, index) => index + 1));
    const positions = await first.db.all<{ position: number }>('SELECT position FROM events ORDER BY position');
    expect(positions.map((row) => Number(row.position))).toEqual(positions.map((_, index) => index + 1));
    expect(await verifyHashChain(first.db)).toEqual({ events: positions.length, streams: 2 });
  });

  it('tells the change feed what the stored fingerprints say, not what this instance wrote last', async () => {
    const read = async (slug: string) => (await first.db.get<{ fingerprint: string }>('SELECT fingerprint FROM profile_documents WHERE registry = $1 AND slug = $2', ['a', slug]))?.fingerprint;
    const written = await first.execute(update('p5', { description: 'first' }), context('first'));
    expect(written.rendered.document?.fingerprint).toBe(await read('p5'));
    await second.execute(update('p5', { runtime: { system_prompt: 'from second' } }), context('second'));
    const moved = await read('p5');
    expect(moved).not.toBe(written.rendered.document?.fingerprint);
    const heard = new Map<number, AffectedProfile[]>();
    const stop = first.bus.onCommit((_events, affected) => affected.forEach((profiles, position) => heard.set(position, profiles)));
    const described = await first.execute(update('p5', { description: 'first again' }), context('first'));
    stop();
    // a description is not part of the runtime: the fingerprint stays the one the second instance stored
    expect(described.rendered.document?.fingerprint).toBe(moved);
    expect(heard.get(described.events[0].position)).toBeUndefined();
    expect(heard.size).toBe(0);
  });
});
