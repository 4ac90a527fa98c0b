import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import type { AffectedProfile } from '../../src/events/change-feed.js';
import { verifyHashChain } from '../../src/events/verify-hash-chain.js';
import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { describeEachBackend, describeOnPostgres } from '../support/backends.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
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

/**
 * On PostgreSQL a batch run ahead moves the position counter and each stream's head once, at its
 * end, not once per command: the rows must still come out where the batch's last appends left
 * them, across streams, for a stream the batch started, and past a command that appended nothing.
 */
describeEachBackend('the heads a batch run ahead moves at its end, on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
    for (const registry of ['a', 'b']) await t.store.execute({ type: 'create_registry', registry }, context('setup'));
    for (const slug of ['p1', 'p2']) await t.store.execute({ type: 'create_profile', registry: 'a', slug, fields: { description: 'v1' } }, context('setup'));
    await t.store.execute({ type: 'create_profile', registry: 'b', slug: 'q', fields: { description: 'v1' } }, context('setup'));
  });
  afterAll(async () => t?.close());

  const streamRowsMatchTheEvents = async () => {
    const rows = await t.store.db.all<{ stream_id: string; version: number; last_hash: string; last_position: number }>(
      'SELECT stream_id, version, last_hash, last_position FROM streams ORDER BY stream_id',
    );
    const ends = await t.store.db.all<{ stream_id: string; version: number; last_hash: string; last_position: number }>(
      `SELECT e.stream_id, e.stream_version AS version, e.hash AS last_hash, e.position AS last_position FROM events e
       WHERE e.stream_version = (SELECT max(stream_version) FROM events f WHERE f.stream_id = e.stream_id) ORDER BY e.stream_id`,
    );
    const numbers = (list: typeof rows) => list.map((row) => ({ ...row, version: Number(row.version), last_position: Number(row.last_position) }));
    expect(numbers(rows)).toEqual(numbers(ends));
    if (backend === 'postgres') {
      const counter = await t.store.db.get<{ last_position: number }>('SELECT last_position FROM event_positions WHERE id = 1');
      const last = await t.store.db.get<{ position: number }>('SELECT max(position) AS position FROM events');
      expect(Number(counter?.last_position)).toBe(Number(last?.position));
    }
  };

  it('leaves the counter and every head where the last appends left them', async () => {
    await t.store.execute(update('p1', { description: 'warm' }), context('one'));
    await t.store.execute({ type: 'update_profile', registry: 'b', slug: 'q', fields: { description: 'warm' } }, context('one'));
    const outcomes = await Promise.all([
      t.store.execute(update('p1', { description: 'one' }), context('one')),
      t.store.execute({ type: 'update_profile', registry: 'b', slug: 'q', fields: { description: 'two' } }, context('one')),
      t.store.execute(update('p2', { description: 'three' }), context('one')),
      t.store.execute(update('p2', { description: 'three' }), context('one')),
      t.store.execute({ type: 'create_registry', registry: 'c' }, context('one')),
      t.store.execute({ type: 'create_profile', registry: 'c', slug: 'r', fields: { description: 'new' } }, context('one')),
      t.store.execute(update('p1', { description: 'four' }), context('one')),
    ]);
    expect(outcomes.map((outcome) => outcome.events.length)).toEqual([1, 1, 1, 0, 1, 2, 1]);
    await streamRowsMatchTheEvents();
    // and the next batch runs on them
    await Promise.all([t.store.execute(update('p1', { description: 'five' }), context('one')), t.store.execute(update('p2', { description: 'six' }), context('one'))]);
    await streamRowsMatchTheEvents();
    const versions = (await t.store.db.events.readStream('a')).map((event) => event.stream_version);
    expect(versions).toEqual(versions.map((_, index) => index + 1));
    expect(await verifyHashChain(t.store.db)).toEqual({ events: expect.any(Number), streams: 3 });
  });
});

describeOnPostgres('how PostgreSQL compresses a long row it is given', () => {
  it('with lz4 where the server has it (pglz cost a sixth of the backend per PATCH)', async () => {
    const t = await openTestStore('postgres');
    try {
      await t.store.execute({ type: 'create_registry', registry: 'a' }, context('setup'));
      await t.store.execute({ type: 'create_profile', registry: 'a', slug: 'long', fields: { description: 'a long description '.repeat(400) } }, context('setup'));
      const lz4 = await t.store.db.get<{ has: boolean }>(
        "SELECT 'lz4' = ANY(enumvals) AS has FROM pg_settings WHERE name = 'default_toast_compression'",
      );
      const row = await t.store.db.get<{ document: string | null; event: string | null }>(
        `SELECT pg_column_compression(d.stored_json) AS document,
                (SELECT pg_column_compression(data_json) FROM events ORDER BY length(data_json) DESC LIMIT 1) AS event
         FROM profile_documents d WHERE d.slug = 'long'`,
      );
      const expected = lz4?.has ? 'lz4' : 'pglz';
      expect(row).toEqual({ document: expected, event: expected });
    } finally {
      await t.close();
    }
  });
});
