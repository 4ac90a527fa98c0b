import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { runCli } from '../support/run-cli.js';
import { copySqlite, withSqlite } from '../support/sqlite-copy.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

// The command line's rebuild of a SQLite file checks the hash chain on a worker thread and folds
// content events by their head, reading each profile's last content at the end of the fold.
describe('rebuild from the command line on a SQLite file', () => {
  let t: TestApp;
  let dir: string;
  const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': 'alice' } });
    expect(response.statusCode, response.body).toBeLessThan(300);
  };
  /** Every table a rebuild writes, whole. */
  const rebuiltTables = (path: string) =>
    withSqlite(path, (db) =>
      Object.fromEntries(
        ['registry_headers', 'profile_documents', 'profile_tombstones', 'profile_stack_refs', 'registry_snapshots'].map((table) => [
          table,
          db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
        ]),
      ),
    );

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    dir = dirname(t.dbPath as string);
    await write('POST', '/api/registries', { slug: 'team' });
    await write('POST', '/api/registries', { slug: 'ops' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'first' } });
    for (let edit = 1; edit <= 120; edit += 1) {
      await write('PATCH', '/api/chat/profiles/alpha?registry=team', { runtime: { system_prompt: `edit ${edit}` } });
    }
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'beta', description: 'created once' });
    await write('DELETE', '/api/chat/profiles/beta?registry=team');
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'beta', description: 'created again' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'gamma', stack: [{ profile_slug: 'alpha' }] });
    await write('POST', '/api/chat/profiles', { registry: 'ops', slug: 'delta', stack: [{ registry_slug: 'team', profile_slug: 'gamma' }] });
    await write('PATCH', '/api/chat/profiles/delta?registry=ops', { description: 'stacked across registries' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'gone', description: 'deleted' });
    await write('DELETE', '/api/chat/profiles/gone?registry=team');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes the rows and snapshots that a rebuild checking the chain in its own read writes', async () => {
    // in the tests' process the sources run: no worker, the chain checked in the fold's own read
    const inProcess = copySqlite(t.dbPath as string, dir);
    const db = openDatabase({ path: inProcess });
    try {
      await rebuildProjections(db, { checkChain: true, snapshotEvery: 100 });
    } finally {
      await db.close();
    }
    const cli = copySqlite(t.dbPath as string, dir);
    const result = await runCli(['rebuild', '--profile-registry-db', cli]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^rebuilt 2 registries from 1\d\d events/);
    const rows = rebuiltTables(cli);
    expect(rows).toEqual(rebuiltTables(inProcess));
    expect(rows.profile_documents.map((row) => `${(row as { registry: string }).registry}/${(row as { slug: string }).slug}`)).toEqual([
      'ops/delta',
      'team/alpha',
      'team/beta',
      'team/gamma',
    ]);
    expect(rows.registry_snapshots.length).toBeGreaterThan(0);
    const alpha = rows.profile_documents.find((row) => (row as { slug: string }).slug === 'alpha') as { stored_json: string };
    expect(JSON.parse(alpha.stored_json).runtime.system_prompt).toBe('edit 120');
  });

  it('refuses an event damaged past folding (its data names no profile) as a broken chain, naming it', async () => {
    const damaged = copySqlite(t.dbPath as string, dir);
    const { position, version } = withSqlite(damaged, (db) => {
      const event = db
        .prepare("SELECT position, stream_version FROM events WHERE stream_id = 'team' AND type = 'profile.updated' ORDER BY stream_version LIMIT 1 OFFSET 5")
        .get() as { position: number; stream_version: number };
      db.prepare('UPDATE events SET data_json = $data WHERE position = $position').run({ data: '{}', position: event.position });
      return { position: event.position, version: event.stream_version };
    });
    const before = rebuiltTables(damaged);
    const result = await runCli(['rebuild', '--profile-registry-db', damaged]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      `profile-registry: rebuild refused: the hash chain is broken at event at position ${position} (registry "team", version ${version}): its stored bytes do not match its hash; keep this database as evidence and restore a backup, or pass --accept-broken-chain to rebuild from these events anyway (the act is recorded)\n`,
    );
    expect(rebuiltTables(damaged)).toEqual(before);
  });

  // the chain is checked in segments by position on two threads and joined in order: a forged
  // event is named wherever it falls, whichever thread read it, as the check in order names it
  it.each([
    ['in the middle of the log', 'OFFSET 60'],
    ['at the end of the log', 'OFFSET 0'],
  ])('refuses an event whose content was forged %s, naming its position', async (_where, offset) => {
    const forged = copySqlite(t.dbPath as string, dir);
    const { position, streamId, version } = withSqlite(forged, (db) => {
      const event = db
        .prepare(`SELECT position, stream_id, stream_version, data_json FROM events WHERE type = 'profile.updated' ORDER BY position DESC LIMIT 1 ${offset}`)
        .get() as { position: number; stream_id: string; stream_version: number; data_json: string };
      // the same shape, another prompt: the fold reads no content event's data, only the chain check sees it
      db.prepare('UPDATE events SET data_json = $data WHERE position = $position').run({
        data: event.data_json.replace(/edit \d+|stacked across registries/, 'forged'),
        position: event.position,
      });
      return { position: event.position, streamId: event.stream_id, version: event.stream_version };
    });
    const before = rebuiltTables(forged);
    const result = await runCli(['rebuild', '--profile-registry-db', forged]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `rebuild refused: the hash chain is broken at event at position ${position} (registry "${streamId}", version ${version}): its stored bytes do not match its hash;`,
    );
    expect(rebuiltTables(forged)).toEqual(before);
  });

  it('refuses a log whose event in the middle was deleted, naming the event after the hole', async () => {
    const cut = copySqlite(t.dbPath as string, dir);
    const next = withSqlite(cut, (db) => {
      const [gone, after] = db.prepare('SELECT position, stream_id, stream_version FROM events ORDER BY position LIMIT 2 OFFSET 70').all() as {
        position: number;
        stream_id: string;
        stream_version: number;
      }[];
      db.prepare('DELETE FROM events WHERE position = $position').run({ position: gone.position });
      return { ...after, gone: gone.position };
    });
    const result = await runCli(['rebuild', '--profile-registry-db', cut]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `the hash chain is broken at event at position ${next.position} (registry "${next.stream_id}", version ${next.stream_version}): `,
    );
  });
});
