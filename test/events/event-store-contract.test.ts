import { afterEach, beforeEach, expect, it } from 'vitest';
import { createInMemoryEventStore } from '../../src/events/in-memory/in-memory-event-store.js';
import { eventHash, GENESIS_HASH } from '../../src/events/event-hash.js';
import { REPLACED_CONTENT } from '../../src/events/event-store.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody, type StoredEvent } from '../../src/events/event-types.js';
import { foldEvents } from '../../src/events/evolve.js';
import { StreamVersionConflict } from '../../src/events/stream-version-conflict.js';
import { describeEachEventStore, type EventStoreUnderTest } from '../support/event-stores.js';

const event = (body: EventBody, at: number): DomainEvent =>
  ({ ...body, schema_version: CURRENT_SCHEMA_VERSION[body.type], metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: at } }) as DomainEvent;

const created = (slug: string, at: number) => event({ type: 'registry.created', data: { slug } }, at);
const renamed = (name: string, at: number) => event({ type: 'registry.updated', data: { display_name: name } }, at);
const profile = (slug: string, version: number, at: number) =>
  event({ type: version === 1 ? 'profile.created' : 'profile.updated', data: { profile: slug, version, content: { runtime: { system_prompt: `v${version} ✓` } } } } as EventBody, at);

const deleted = (slug: string, version: number, at: number) => event({ type: 'profile.deleted', data: { profile: slug, version } }, at);
const published = (slug: string, version: number, at: number) =>
  event(
    {
      type: 'profile.published',
      data: { profile: slug, algorithm: 'HMAC-SHA256', key_id: 'k1', version, signed_at: '2026-01-01T00:00:00Z', signed_by: 'a', value: 'ab' },
    },
    at,
  );

const byVersion = (a: StoredEvent, b: StoredEvent) => a.stream_version - b.stream_version;

/** What the event carries, without where the store put it. */
const body = (stored: StoredEvent) => ({ type: stored.type, schema_version: stored.schema_version, data: stored.data, metadata: stored.metadata });

/** The hash the stored bytes of the event must give (JSON.stringify is how the store serializes). */
const expectedHash = (stored: StoredEvent): string =>
  eventHash(
    stored.prev_hash,
    {
      stream_id: stored.stream_id,
      stream_version: stored.stream_version,
      type: stored.type,
      schema_version: stored.schema_version,
      data_json: JSON.stringify(stored.data),
      metadata_json: JSON.stringify(stored.metadata),
    },
    stored.position,
  );

describeEachEventStore('the EventStore contract on %s', (open) => {
  let s: EventStoreUnderTest;
  beforeEach(async () => {
    s = await open();
  });
  afterEach(async () => s?.close());

  it('starts empty: every stream at version 0 on the genesis hash, the log at position 0', async () => {
    expect(await s.reads.streamHead('alpha')).toEqual({ version: 0, hash: GENESIS_HASH });
    expect(await s.reads.readStream('alpha')).toEqual([]);
    expect(await s.reads.readAll()).toEqual([]);
    expect(await s.reads.lastPosition()).toBe(0);
  });

  it('appends at the expected version and returns the events as stored, as they read back', async () => {
    const appended = await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), profile('p', 1, 2000)]));
    expect(appended.map((e) => [e.stream_id, e.stream_version])).toEqual([['alpha', 1], ['alpha', 2]]);
    expect(appended.map(body)).toEqual([created('alpha', 1000), profile('p', 1, 2000)]);
    expect(appended[1].position).toBeGreaterThan(appended[0].position);
    expect(await s.reads.readStream('alpha')).toEqual(appended);
    expect(await s.reads.streamHead('alpha')).toEqual({ version: 2, hash: appended[1].hash });
    expect(await s.reads.lastPosition()).toBe(appended[1].position);
  });

  it('refuses a stale or a future expected version with StreamVersionConflict and writes nothing', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), renamed('A', 2000)]));
    const before = await s.reads.readAll();
    for (const expected of [0, 1, 3]) {
      const refused = s.transaction((store) => store.appendToStream('alpha', expected, [renamed('B', 3000)]));
      await expect(refused).rejects.toBeInstanceOf(StreamVersionConflict);
      await expect(refused).rejects.toThrow(`stream "alpha" version conflict: expected=${expected} actual=2`);
    }
    await expect(s.transaction((store) => store.appendToStream('beta', 1, [created('beta', 3000)]))).rejects.toThrow(
      'stream "beta" version conflict: expected=1 actual=0',
    );
    expect(await s.reads.readAll()).toEqual(before);
    expect(await s.reads.streamHead('alpha')).toEqual({ version: 2, hash: before[1].hash });
    expect(await s.reads.streamHead('beta')).toEqual({ version: 0, hash: GENESIS_HASH });
  });

  it('lets exactly one of two writers with the same expected version win, without a version gap', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000)]));
    const results = await Promise.allSettled(
      ['X', 'Y'].map((name) => s.transaction((store) => store.appendToStream('alpha', 1, [renamed(name, 2000)]))),
    );
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(StreamVersionConflict);
    expect((await s.reads.readStream('alpha')).map((e) => e.stream_version)).toEqual([1, 2]);
  });

  it('takes back the appends of a transaction that fails afterwards (they share the caller’s transaction)', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000)]));
    const before = await s.reads.readAll();
    const failed = s.transaction(async (store) => {
      await store.appendToStream('alpha', 1, [renamed('A', 2000)]);
      await store.appendToStream('beta', 0, [created('beta', 2000)]);
      expect(await store.streamHead('alpha')).toMatchObject({ version: 2 });
      throw new Error('the projection failed');
    });
    await expect(failed).rejects.toThrow('the projection failed');
    expect(await s.reads.readAll()).toEqual(before);
    expect(await s.reads.streamHead('beta')).toEqual({ version: 0, hash: GENESIS_HASH });
    // the stream goes on from where it stood
    const next = await s.transaction((store) => store.appendToStream('alpha', 1, [renamed('B', 3000)]));
    expect(next.map((e) => [e.stream_version, e.prev_hash])).toEqual([[2, before[0].hash]]);
  });

  it('takes back, of a savepoint that throws, only the appends made inside it, savepoints nesting', async () => {
    const refused = new Error('the command was refused');
    const kept = await s.transaction(async (store, tx) => {
      await store.appendToStream('alpha', 0, [created('alpha', 1000)]);
      await expect(
        tx.savepoint(async () => {
          await store.appendToStream('alpha', 1, [renamed('A', 2000)]);
          await tx.savepoint(() => store.appendToStream('beta', 0, [created('beta', 2000)]));
          throw refused;
        }),
      ).rejects.toBe(refused);
      await tx.savepoint(async () => {
        await store.appendToStream('alpha', 1, [renamed('B', 3000)]);
        await expect(
          tx.savepoint(async () => {
            await store.appendToStream('gamma', 0, [created('gamma', 3000)]);
            throw refused;
          }),
        ).rejects.toBe(refused);
      });
      return store.readStream('alpha');
    });
    expect(kept.map((e) => e.data)).toEqual([{ slug: 'alpha' }, { display_name: 'B' }]);
    expect(await s.reads.readAll()).toEqual(kept);
    expect(await s.reads.streamHead('beta')).toEqual({ version: 0, hash: GENESIS_HASH });
    expect(await s.reads.streamHead('gamma')).toEqual({ version: 0, hash: GENESIS_HASH });
    expect(kept[1].prev_hash).toBe(kept[0].hash);
  });

  it('appends nothing for no events and leaves the head alone', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000)]));
    const head = await s.reads.streamHead('alpha');
    expect(await s.transaction((store) => store.appendToStream('alpha', 1, []))).toEqual([]);
    expect(await s.reads.streamHead('alpha')).toEqual(head);
  });

  it('reads all streams in position order after a position, by page, or one stream only', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), renamed('A', 2000)]));
    await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 2500)]));
    await s.transaction((store) => store.appendToStream('alpha', 2, [renamed('B', 3000)]));
    const all = await s.reads.readAll();
    expect(all.map((e) => [e.stream_id, e.stream_version])).toEqual([['alpha', 1], ['alpha', 2], ['beta', 1], ['alpha', 3]]);
    expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => a - b));
    expect(new Set(all.map((e) => e.position)).size).toBe(4);
    expect(await s.reads.readAll({ after: all[1].position, limit: 1 })).toEqual([all[2]]);
    expect(await s.reads.readAll({ after: all[3].position })).toEqual([]);
    expect(await s.reads.readAll({ limit: 2 })).toEqual(all.slice(0, 2));
    expect(await s.reads.readAll({ streamId: 'alpha', after: all[0].position })).toEqual([all[1], all[3]]);
    expect(await s.reads.lastPosition()).toBe(all[3].position);
  });

  it('reads a stream from a version, up to a version, or up to a time', async () => {
    const events = [created('alpha', 1000), renamed('A', 2000), renamed('B', 2000), renamed('C', 3000)];
    const appended = await s.transaction((store) => store.appendToStream('alpha', 0, events));
    expect(await s.reads.readStream('alpha', { fromVersion: 2 })).toEqual(appended.slice(1));
    expect(await s.reads.readStream('alpha', { fromVersion: 2, toVersion: 3 })).toEqual(appended.slice(1, 3));
    expect(await s.reads.readStream('alpha', { untilMs: 2000 })).toEqual(appended.slice(0, 3));
    expect(await s.reads.readStream('alpha', { untilMs: 999 })).toEqual([]);
    expect(await s.reads.readStream('alpha', { fromVersion: 5 })).toEqual([]);
  });

  it('chains each stream’s hashes over the stored bytes, across appends, from the genesis hash', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), profile('p', 1, 1500)]));
    await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 2000)]));
    await s.transaction((store) => store.appendToStream('alpha', 2, [profile('p', 2, 3000), renamed('Ä', 3000)]));
    for (const streamId of ['alpha', 'beta']) {
      const stream = await s.reads.readStream(streamId);
      expect(stream[0].prev_hash).toBe(GENESIS_HASH);
      for (const [i, stored] of stream.entries()) {
        if (i > 0) expect(stored.prev_hash).toBe(stream[i - 1].hash);
        expect(stored.hash).toBe(expectedHash(stored));
      }
      expect(await s.reads.streamHead(streamId)).toEqual({ version: stream.length, hash: stream.at(-1)?.hash });
    }
  });

  it('gives the same hashes as every other EventStore for the same events', async () => {
    const reference = createInMemoryEventStore();
    const events = [created('alpha', 1000), profile('p', 1, 1500), profile('p', 2, 1600)];
    const expected = await reference.transaction((tx) => tx.events.appendToStream('alpha', 0, events));
    const appended = await s.transaction((store) => store.appendToStream('alpha', 0, events));
    expect(appended.map((e) => e.hash)).toEqual(expected.map((e) => e.hash));
  });

  it('reads a range of a stream for some profiles: the registry’s own events and theirs from a profile version on', async () => {
    const events = [
      created('alpha', 1000),
      profile('p', 1, 1000),
      profile('q', 1, 1000),
      profile('p', 2, 2000),
      published('p', 2, 2000),
      renamed('A', 2000),
      profile('q', 2, 3000),
      deleted('p', 3, 3000),
      profile('r', 1, 3000),
    ];
    const appended = await s.transaction((store) => store.appendToStream('alpha', 0, events));
    const versions = (read: StoredEvent[]) => read.map((stored) => stored.stream_version);
    expect(versions(await s.reads.readStream('alpha', { profiles: [['p', 0]] }))).toEqual([1, 2, 4, 5, 6, 8]);
    expect(versions(await s.reads.readStream('alpha', { fromVersion: 3, toVersion: 8, profiles: [['p', 2], ['q', 2]] }))).toEqual([4, 5, 6, 7, 8]);
    // a published event carries the version it signs: from version 2 on, it is read
    expect(await s.reads.readStream('alpha', { fromVersion: 5, toVersion: 5, profiles: [['p', 2]] })).toEqual([appended[4]]);
    expect(versions(await s.reads.readStream('alpha', { fromVersion: 2, profiles: [['nobody', 0]] }))).toEqual([6]);
    expect(versions(await s.reads.readStream('alpha', { untilMs: 2000, backwards: true, limit: 3, profiles: [['q', 0]] }))).toEqual([6, 3, 1]);
    expect(await s.reads.readStream('alpha', { profiles: [] })).toEqual([appended[0], appended[5]]);
  });

  it('reads of a profile’s updates in a range the last only, with its creations, deletions and publications', async () => {
    const events = [
      created('alpha', 1000),
      profile('p', 1, 1000),
      profile('p', 2, 1000),
      profile('p', 3, 1000),
      published('p', 3, 1000),
      profile('p', 4, 2000),
      profile('q', 1, 2000),
      profile('q', 2, 2000),
      profile('q', 3, 3000),
      deleted('q', 4, 3000),
    ];
    await s.transaction((store) => store.appendToStream('alpha', 0, events));
    const versions = (read: StoredEvent[]) => read.map((stored) => stored.stream_version);
    expect(versions(await s.reads.readStream('alpha', { profiles: [['p', 0], ['q', 0]] }))).toEqual([1, 2, 5, 6, 7, 9, 10]);
    expect(versions(await s.reads.readStream('alpha', { fromVersion: 3, toVersion: 4, profiles: [['p', 2]] }))).toEqual([4]);
    expect(versions(await s.reads.readStream('alpha', { untilMs: 2000, profiles: [['q', 0]] }))).toEqual([1, 7, 8]);
    // without `profiles`, every event of the range
    expect(versions(await s.reads.readStream('alpha', { fromVersion: 2, toVersion: 4 }))).toEqual([2, 3, 4]);
  });

  it('reads for some profiles every range the same as a filter of the whole stream, however many versions a profile has after it', async () => {
    const recreated = (slug: string, version: number, at: number) =>
      event({ type: 'profile.created', data: { profile: slug, version, content: { runtime: { system_prompt: `again v${version}` } } } } as EventBody, at);
    const events = [created('alpha', 1000), profile('p', 1, 1000), profile('q', 1, 1000)];
    for (let version = 2; version <= 12; version++) events.push(profile('p', version, 1000 + version));
    events.push(published('p', 12, 2000), deleted('q', 2, 2000), renamed('A', 2000), recreated('q', 3, 2000), profile('q', 4, 2000));
    for (let version = 13; version <= 40; version++) events.push(profile('p', version, 3000 + version));
    await s.transaction((store) => store.appendToStream('alpha', 0, events));
    const all = await s.reads.readStream('alpha');
    const profileOf = (stored: StoredEvent) => (stored.data as { profile?: string }).profile;
    const versionOf = (stored: StoredEvent) => (stored.data as { version?: number }).version ?? 0;
    for (let fromVersion = 1; fromVersion <= all.length; fromVersion += 3) {
      for (let toVersion = fromVersion; toVersion <= all.length; toVersion++) {
        const before = all.slice(0, fromVersion - 1);
        const at = (slug: string) => Math.max(0, ...before.filter((e) => profileOf(e) === slug && e.type !== 'profile.published').map(versionOf));
        const refs = [['p', at('p')], ['q', at('q')]] as const;
        const range = all.slice(fromVersion - 1, toVersion);
        const lastUpdate = (slug: string) => range.filter((e) => e.type === 'profile.updated' && profileOf(e) === slug).at(-1);
        const expected = range.filter(
          (e) => !e.type.startsWith('profile.') || (e.type !== 'profile.updated' && versionOf(e) >= at(profileOf(e)!)) || e === lastUpdate('p') || e === lastUpdate('q'),
        );
        const read = await s.reads.readStream('alpha', { fromVersion, toVersion, profiles: refs });
        expect(read.map((e) => e.stream_version), `${fromVersion}..${toVersion}`).toEqual(expected.map((e) => e.stream_version));
      }
    }
  });

  it('reads a page of a stream by version and limit, either way', async () => {
    const events = [created('alpha', 1000), renamed('A', 2000), renamed('B', 2000), renamed('C', 3000)];
    const appended = await s.transaction((store) => store.appendToStream('alpha', 0, events));
    expect(await s.reads.readStream('alpha', { fromVersion: 2, limit: 2 })).toEqual(appended.slice(1, 3));
    expect(await s.reads.readStream('alpha', { backwards: true, limit: 1 })).toEqual([appended[3]]);
    expect(await s.reads.readStream('alpha', { toVersion: 3, backwards: true })).toEqual(appended.slice(0, 3).reverse());
    expect(await s.reads.readStream('alpha', { untilMs: 2000, backwards: true, limit: 2 })).toEqual([appended[2], appended[1]]);
    expect(await s.reads.readStream('beta', { backwards: true, limit: 1 })).toEqual([]);
  });

  it('reads all streams by event type', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), renamed('A', 2000)]));
    await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 2500), renamed('B', 3000)]));
    const all = await s.reads.readAll();
    expect(await s.reads.readAll({ types: ['registry.updated'] })).toEqual([all[1], all[3]]);
    expect(await s.reads.readAll({ types: ['registry.updated', 'registry.created'], after: all[0].position, limit: 2 })).toEqual(all.slice(1, 3));
    expect(await s.reads.readAll({ types: ['registry.updated'], streamId: 'beta' })).toEqual([all[3]]);
    expect(await s.reads.readAll({ types: ['profile.deleted'] })).toEqual([]);
  });

  it('reads events as stored: the bytes their hash covers, by position or by stream and version', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), profile('p', 1, 1500)]));
    await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 2000)]));
    const all = await s.reads.readAll();
    const records = await s.reads.readRecords();
    expect(records.map((r) => [r.position, r.stream_id, r.stream_version, r.type, r.schema_version, r.prev_hash, r.hash])).toEqual(
      all.map((e) => [e.position, e.stream_id, e.stream_version, e.type, e.schema_version, e.prev_hash, e.hash]),
    );
    for (const [i, record] of records.entries()) {
      expect(eventHash(record.prev_hash, record, record.position)).toBe(record.hash);
      expect(JSON.parse(record.data_json)).toEqual(all[i].data);
      expect(JSON.parse(record.metadata_json)).toEqual(all[i].metadata);
    }
    expect(await s.reads.readRecords({ after: records[0].position, limit: 1 })).toEqual([records[1]]);
    expect(await s.reads.readRecord('alpha', 2)).toEqual(records[1]);
    expect(await s.reads.readRecord('alpha', 3)).toBeUndefined();
    const hashes = await s.reads.readHashes([records[2].position, records[0].position, records[2].position + 100]);
    expect(hashes).toEqual(new Map([[records[2].position, records[2].hash], [records[0].position, records[0].hash]]));
    expect(await s.reads.readHashes([])).toEqual(new Map());
  });

  it('reads the events that gave a profile its versions, all of them or the versions asked for', async () => {
    const alpha = await s.transaction((store) =>
      store.appendToStream('alpha', 0, [
        created('alpha', 1000),
        profile('p', 1, 1100),
        profile('q', 1, 1200),
        profile('p', 2, 1300),
        published('p', 2, 1400),
        deleted('p', 3, 1500),
      ]),
    );
    const beta = await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 2000), profile('p', 1, 2100)]));
    expect(await s.reads.readProfileEvents('alpha', 'p')).toEqual([alpha[1], alpha[3], alpha[5]]);
    expect(await s.reads.readProfileEvents('beta', 'p')).toEqual([beta[1]]);
    expect(await s.reads.readProfileEvents('beta', 'q')).toEqual([]);
    const at = await s.reads.readProfileEventsAt('alpha', [['p', 2], ['q', 1], ['p', 3], ['p', 9], ['r', 1]]);
    expect(at.sort(byVersion)).toEqual([alpha[2], alpha[3], alpha[5]]);
    expect(await s.reads.readProfileEventsAt('alpha', [])).toEqual([]);
    expect((await s.reads.streamsNamingProfile('p')).sort()).toEqual(['alpha', 'beta']);
    expect(await s.reads.streamsNamingProfile('q')).toEqual(['alpha']);
    expect(await s.reads.streamsNamingProfile('r')).toEqual([]);
  });

  it('reads a stream for its final state without the content later events replace, by chunks of versions', async () => {
    const appended = await s.transaction((store) =>
      store.appendToStream('alpha', 0, [
        created('alpha', 1000),
        profile('p', 1, 1100),
        profile('p', 2, 1200),
        profile('q', 1, 1300),
        profile('p', 3, 1400),
        deleted('q', 2, 1500),
        event({ type: 'profile.created', data: { profile: 'q', version: 3, content: { runtime: { system_prompt: 'again' } } } } as EventBody, 1600),
      ]),
    );
    const chunks = [];
    for await (const chunk of s.reads.readLatestContent('alpha', { toVersion: 7, chunkSize: 3 })) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.toVersion)).toEqual([3, 6, 7]);
    const read = chunks.flatMap((chunk) => chunk.events);
    // the edit p v2 is left out; the creations p v1 and q v1 come without their content
    expect(read.map((e) => e.stream_version)).toEqual([1, 2, 4, 5, 6, 7]);
    const headOnly = (stored: StoredEvent) => ({ ...stored, data: { ...stored.data, content: REPLACED_CONTENT } });
    expect(read).toEqual([appended[0], headOnly(appended[1]), headOnly(appended[3]), appended[4], appended[5], appended[6]]);
    expect((read[1].data as { content: unknown }).content).toBe(REPLACED_CONTENT);
    // folded, they give the stream's final state (its version is the stream's: the fold counts what it read)
    expect({ ...foldEvents(read, 'alpha'), version: 7 }).toEqual(foldEvents(appended, 'alpha'));
    const firstTwo = [];
    for await (const chunk of s.reads.readLatestContent('alpha', { toVersion: 2, chunkSize: 5 })) firstTwo.push(chunk);
    expect(firstTwo).toEqual([{ toVersion: 2, events: [appended[0], headOnly(appended[1])] }]);
  });

  it('tells a stream’s version as of a time: the last event at or before it', async () => {
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000), renamed('A', 2000), renamed('B', 2000), renamed('C', 3000)]));
    expect(await s.reads.streamVersionAt('alpha', 999)).toBe(0);
    expect(await s.reads.streamVersionAt('alpha', 1000)).toBe(1);
    expect(await s.reads.streamVersionAt('alpha', 2500)).toBe(3);
    expect(await s.reads.streamVersionAt('alpha', 9000)).toBe(4);
    expect(await s.reads.streamVersionAt('beta', 9000)).toBe(0);
  });

  it('tells a stream’s version as of a global position, streams interleaved', async () => {
    const [a1] = await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 1000)]));
    const [b1] = await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 1000)]));
    const [, a3] = await s.transaction((store) => store.appendToStream('alpha', 1, [renamed('A', 2000), renamed('B', 2000)]));
    expect(await s.reads.streamVersionAtPosition('alpha', a1.position - 1)).toBe(0);
    expect(await s.reads.streamVersionAtPosition('alpha', b1.position)).toBe(1);
    expect(await s.reads.streamVersionAtPosition('beta', b1.position)).toBe(1);
    expect(await s.reads.streamVersionAtPosition('alpha', a3.position)).toBe(3);
    expect(await s.reads.streamVersionAtPosition('beta', a3.position + 100)).toBe(1);
    expect(await s.reads.streamVersionAtPosition('gamma', a3.position)).toBe(0);
  });

  it('tells a stream’s version at every position of a long interleaved history (the search halves, it does not walk)', async () => {
    const appended: Array<{ stream: string; version: number; position: number }> = [];
    const versions = { alpha: 0, beta: 0 };
    for (let i = 0; i < 37; i++) {
      const stream = i % 3 === 0 ? 'beta' : 'alpha';
      const events = versions[stream] === 0 ? [created(stream, 1000 + i)] : [renamed(`n${i}`, 1000 + i)];
      const [stored] = await s.transaction((store) => store.appendToStream(stream, versions[stream], events));
      versions[stream] += 1;
      appended.push({ stream, version: versions[stream], position: stored.position });
    }
    const expected = (stream: string, position: number) =>
      Math.max(0, ...appended.filter((e) => e.stream === stream && e.position <= position).map((e) => e.version));
    const last = appended[appended.length - 1].position;
    for (let position = appended[0].position - 1; position <= last + 1; position++) {
      for (const stream of ['alpha', 'beta']) expect(await s.reads.streamVersionAtPosition(stream, position)).toBe(expected(stream, position));
    }
  });

  it('lists the streams with their heads and ends, counts the events, keeps the positions it handed out', async () => {
    expect(await s.reads.listStreams()).toEqual([]);
    expect(await s.reads.readStreamEnds()).toEqual([]);
    expect(await s.reads.countEvents()).toBe(0);
    await s.transaction((store) => store.appendToStream('beta', 0, [created('beta', 1000)]));
    await s.transaction((store) => store.appendToStream('alpha', 0, [created('alpha', 2000), renamed('A', 3000)]));
    await expect(
      s.transaction(async (store) => {
        await store.appendToStream('alpha', 2, [renamed('B', 4000)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const [beta, , alpha] = await s.reads.readRecords();
    expect(await s.reads.listStreams()).toEqual([
      { streamId: 'alpha', version: 2, hash: alpha.hash, lastPosition: alpha.position },
      { streamId: 'beta', version: 1, hash: beta.hash, lastPosition: beta.position },
    ]);
    expect(await s.reads.readStreamEnds()).toEqual([
      { streamId: 'alpha', head: { version: 2, hash: alpha.hash }, headEvent: alpha, lastVersion: 2 },
      { streamId: 'beta', head: { version: 1, hash: beta.hash }, headEvent: beta, lastVersion: 1 },
    ]);
    expect(await s.reads.countEvents()).toBe(3);
    // undefined where the store keeps no such number; otherwise a taken-back append leaves no gap
    expect([undefined, alpha.position]).toContain(await s.reads.lastPositionHandedOut());
  });
});
