import { afterAll, beforeAll, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import type { SqlDatabase } from '../../src/events/sql-database.js';
import { profileEventsAtSql } from '../../src/events/sql/read-profile-events-at.js';
import { profileEventsSql } from '../../src/events/sql/read-profile-events.js';
import { describeEachBackend } from '../support/backends.js';
import { openEmptyEventDatabase } from '../support/event-stores.js';

const PROFILES = 100;
const VERSIONS = 8;

const profileEvent = (slug: string, version: number): DomainEvent =>
  ({
    type: version === 1 ? 'profile.created' : 'profile.updated',
    schema_version: CURRENT_SCHEMA_VERSION[version === 1 ? 'profile.created' : 'profile.updated'],
    data: { profile: slug, version, content: { runtime: { system_prompt: `${slug} v${version} `.repeat(40) } } },
    metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: 1_000 + version },
  }) as unknown as DomainEvent;

/**
 * Loading a registry from its snapshot reads each profile's content at the version the snapshot
 * names, all in one query. Joined by hash, PostgreSQL read and parsed every event of the stream
 * for it (200 ms at 2,400 events, and growing with the history), on each instance whose cached
 * state another instance's write had made stale.
 */
describeEachBackend('reading profiles at versions on %s', (backend) => {
  let db: SqlDatabase;
  let remove: () => Promise<void> | void;
  const wanted = Array.from({ length: PROFILES }, (_, i) => [`p${i}`, 1 + (i % VERSIONS)] as [string, number]);

  beforeAll(async () => {
    ({ db, remove } = await openEmptyEventDatabase(backend));
    for (let version = 1; version <= VERSIONS; version++) {
      const events = Array.from({ length: PROFILES }, (_, i) => profileEvent(`p${i}`, version));
      await db.transaction((tx) => tx.events.appendToStream('alpha', (version - 1) * PROFILES, events));
    }
    // the planner's statistics as the database keeps them once it has looked at the table
    await db.exec(backend === 'sqlite' ? 'ANALYZE' : 'ANALYZE events');
  });
  afterAll(async () => {
    await db?.close();
    await remove?.();
  });

  it('finds the event of each [profile, version] pair', async () => {
    const found = await db.events.readProfileEventsAt('alpha', wanted);
    const named = (data: unknown) => data as { profile: string; version: number };
    expect(found.map((event) => [named(event.data).profile, named(event.data).version]).sort()).toEqual([...wanted].sort());
  });

  it('looks each pair up in the profile index instead of reading the stream', async () => {
    const params = [JSON.stringify(wanted), 'alpha'];
    if (backend === 'sqlite') {
      const plan = (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${profileEventsAtSql(db.flavour)}`, params)).map((row) => row.detail);
      expect(plan.join('\n')).toMatch(/SEARCH e USING INDEX events_stream_profile/);
      expect(plan.join('\n')).not.toMatch(/SCAN e\b/);
    } else {
      const plan = (await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${profileEventsAtSql(db.flavour)}`, params)).map((row) => row['QUERY PLAN']);
      expect(plan.join('\n')).toMatch(/Index Scan using events_stream_profile_copied on events e/);
      expect(plan.join('\n')).not.toMatch(/Hash Join|Seq Scan on events/);
    }
  });

  it("reads a page of one profile's history, oldest first, from the versions asked for only", async () => {
    const versionsOf = (events: { data: unknown }[]) => events.map((event) => (event.data as { version: number }).version);
    expect(versionsOf(await db.events.readProfileEvents('alpha', 'p7'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(versionsOf(await db.events.readProfileEvents('alpha', 'p7', { last: 3 }))).toEqual([6, 7, 8]);
    expect(versionsOf(await db.events.readProfileEvents('alpha', 'p7', { beforeVersion: 6, last: 2 }))).toEqual([4, 5]);
    expect(versionsOf(await db.events.readProfileEvents('alpha', 'p7', { beforeVersion: 3 }))).toEqual([1, 2]);
    expect(await db.events.readProfileEvents('alpha', 'nobody', { last: 1 })).toEqual([]);
  });

  // ordered by stream_version, SQLite walked the (stream_id, stream_version) index and parsed the
  // JSON of every event of the stream: 629 ms for a profile of 6 versions in a stream of 50,000
  it("reads a profile's history in the profile index, in its order", async () => {
    for (const options of [
      { before: false, last: false },
      { before: true, last: true },
      { before: false, last: true },
    ]) {
      const params = ['alpha', 'p7', ...(options.before ? [5] : []), ...(options.last ? [3] : [])];
      const sql = profileEventsSql(db.flavour, options);
      if (backend === 'sqlite') {
        const plan = (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => row.detail).join('\n');
        expect(plan).toMatch(/SEARCH events USING INDEX events_stream_profile/);
        expect(plan).not.toMatch(/TEMP B-TREE|sqlite_autoindex_events/);
      } else {
        const plan = (await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((row) => row['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index Scan (Backward )?using events_stream_profile_copied on events/);
        expect(plan).not.toMatch(/Sort|Seq Scan on events/);
      }
    }
  });
});

const STREAMS = 20;
const HOT_VERSIONS = 200;
const COLD_PROFILES = 50;

/**
 * A profile's events are all in one stream. Taken as independent of the stream, a hot profile's
 * rows were guessed at a twentieth of its versions here; PostgreSQL then read all its versions
 * and sorted them for a page of 100 (at 1,000,000 events, 8,898 versions for a page of 101).
 */
describeEachBackend("a history page of a hot profile among %s's streams", (backend) => {
  let db: SqlDatabase;
  let remove: () => Promise<void> | void;

  beforeAll(async () => {
    ({ db, remove } = await openEmptyEventDatabase(backend));
    for (let stream = 0; stream < STREAMS; stream++) {
      const cold = Array.from({ length: COLD_PROFILES }, (_, i) => profileEvent(`cold${i}`, 1));
      const hot = Array.from({ length: HOT_VERSIONS }, (_, i) => profileEvent(`hot${stream}`, i + 1));
      await db.transaction((tx) => tx.events.appendToStream(`s${stream}`, 0, [...cold, ...hot]));
    }
    await db.exec(backend === 'sqlite' ? 'ANALYZE' : 'ANALYZE events');
  });
  afterAll(async () => {
    await db?.close();
    await remove?.();
  });

  it('walks the profile index for the page, without reading and sorting all its versions', async () => {
    const sql = profileEventsSql(db.flavour, { before: false, last: true });
    const params = ['s3', 'hot3', 100];
    expect(await db.all(sql, params)).toHaveLength(100);
    if (backend === 'sqlite') {
      const plan = (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => row.detail).join('\n');
      expect(plan).toMatch(/SEARCH events USING INDEX events_stream_profile/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    } else {
      const plan = (await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan Backward using events_stream_profile_copied on events/);
      expect(plan).not.toMatch(/Sort|Bitmap/);
    }
  });
});
