import { afterEach, expect, it } from 'vitest';
import { withReadOnlyDatabase } from '../../src/cli/cli-store.js';
import { verifyStore } from '../../src/projections/verify-store.js';
import type { SqlExecutor } from '../../src/events/sql-database.js';
import { describeOnPostgres } from '../support/backends.js';
import { buildTestApp, openTestApp, type TestApp } from '../support/test-store.js';

/** The events table and its profile index as releases before the copies laid them out. */
const EARLIER_LOG = `DROP INDEX events_stream_profile_copied;
DROP STATISTICS events_stream_profile_copied_stats;
ALTER TABLE events DROP COLUMN data_profile, DROP COLUMN data_version;
CREATE INDEX events_stream_profile ON events (stream_id, ((data_json::jsonb ->> 'profile')), (((data_json::jsonb ->> 'version')::bigint)));
CREATE STATISTICS events_stream_profile_stats (mcv, dependencies) ON stream_id, ((data_json::jsonb ->> 'profile')) FROM events;`;

const eventIndexes = async (db: SqlExecutor) =>
  (
    await db.all<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'events' ORDER BY indexname",
    )
  ).map((row) => row.indexname);

/** Each event's copies beside what its text says, by position. */
const copiesAndText = (db: SqlExecutor) =>
  db.all<{ position: number; type: string; data_profile: string | null; data_version: number | null; profile: string | null; version: number | null }>(
    `SELECT position, type, data_profile, data_version, data_json::jsonb ->> 'profile' AS profile, (data_json::jsonb ->> 'version')::bigint AS version
     FROM events ORDER BY position`,
  );

const write = async (t: TestApp | { app: TestApp['app'] }, description: string) => {
  const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/analyst?registry=staff', payload: { description } });
  expect(patched.statusCode).toBe(200);
};

/**
 * On PostgreSQL each event carries copies of its data's profile and version, which the profile
 * index is over: read from the text, each index entry parsed the whole event into jsonb.
 */
describeOnPostgres('the copies of an event’s profile and version on postgres', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  const seed = async () => {
    t = await openTestApp('postgres');
    expect((await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'staff' } })).statusCode).toBe(201);
    const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'staff', slug: 'analyst', description: 'v1' } });
    expect(created.statusCode).toBe(201);
    await write(t, 'v2');
    return t;
  };

  it('are written with each event, equal to what its text says, and the profile index is over them', async () => {
    const { store } = await seed();
    const rows = await copiesAndText(store.db);
    expect(rows.map((row) => row.type)).toEqual(expect.arrayContaining(['registry.created', 'profile.created', 'profile.updated']));
    for (const row of rows) {
      expect([row.data_profile, row.data_version]).toEqual([row.profile, row.version]);
    }
    expect(rows.at(-1)).toMatchObject({ type: 'profile.updated', data_profile: 'analyst', data_version: 2 });
    expect(await eventIndexes(store.db)).toContain('events_stream_profile_copied');
    expect(await eventIndexes(store.db)).not.toContain('events_stream_profile');
  });

  it("are added to an earlier release's events table on open, whose events read as before", async () => {
    const opened = await seed();
    const history = () => `/api/chat/profiles/analyst/history?registry=staff`;
    const before = await opened.app.inject({ method: 'GET', url: history() });
    await opened.store.db.exec(EARLIER_LOG);

    // a read-only open (verify, export, history) migrates nothing: it reads the earlier table as it is
    const readOnly = { profileRegistryDsn: opened.cliDatabaseArgs[1] };
    const versionsReadOnly = await withReadOnlyDatabase(readOnly, async (db) =>
      (await db.events.readProfileEvents('staff', 'analyst')).map((event) => (event.data as { version: number }).version),
    );
    expect(versionsReadOnly).toEqual([1, 2]);

    const reopened = await opened.reopen();
    const app = await buildTestApp({ store: reopened });
    expect(await eventIndexes(reopened.db)).toEqual([
      'events_pkey',
      'events_stream_id_stream_version_key',
      'events_stream_profile_copied',
      'events_stream_time',
    ]);
    const earlier = await copiesAndText(reopened.db);
    expect(earlier.filter((row) => row.data_profile !== null || row.data_version !== null)).toEqual([]);
    const after = await app.inject({ method: 'GET', url: history() });
    expect(after.statusCode).toBe(200);
    expect(after.body).toBe(before.body);

    await write({ app }, 'v3');
    const rows = await copiesAndText(reopened.db);
    expect(rows.at(-1)).toMatchObject({ data_profile: 'analyst', data_version: 3, profile: 'analyst', version: 3 });
    const versions = JSON.parse((await app.inject({ method: 'GET', url: history() })).body).versions.map((v: { version: number }) => v.version);
    expect(versions).toEqual([3, 2, 1]);
    await app.close();
  });

  it('are checked by verify against the data: an edited copy is named as an edit of the log', async () => {
    const { store } = await seed();
    expect((await verifyStore(store.db)).findings).toEqual([]);
    const last = await store.db.get<{ position: number | string }>("SELECT max(position) AS position FROM events WHERE type = 'profile.updated'");
    await store.db.run("UPDATE events SET data_profile = 'someone-else' WHERE position = $1", [last?.position]);
    expect((await verifyStore(store.db)).findings).toEqual([
      {
        level: 'events',
        detail: `the event at position ${last?.position} names another profile or version in data_profile/data_version than in its data: the copies were edited`,
      },
    ]);
    await store.db.run('UPDATE events SET data_profile = $2, data_version = 7 WHERE position = $1', [last?.position, 'analyst']);
    expect((await verifyStore(store.db)).findings.map((finding) => finding.detail)).toEqual([expect.stringContaining(`position ${last?.position} names another`)]);
  });
});
