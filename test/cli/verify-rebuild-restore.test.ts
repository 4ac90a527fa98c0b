import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/run-cli.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

describeEachBackend('operator commands on %s', (backend) => {
  let t: TestApp;
  const cli = (...args: string[]) => runCli([...args, ...t.cliDatabaseArgs], { USER: 'operator-jo' });
  const get = async (url: string) => t.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    t = await openTestApp(backend);
    const write = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, payload, headers: { 'x-actor': 'alice' } });
    await write('POST', '/api/registries', { slug: 'team' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'alpha', description: 'first' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'beta' });
    await write('PATCH', '/api/chat/profiles/alpha?registry=team', { description: 'second' });
    await write('DELETE', '/api/chat/profiles/beta?registry=team');
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'gamma' });
  });
  afterAll(async () => t?.close());

  it('verify passes with a one-line summary on an untouched database', async () => {
    const result = await cli('verify');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^verify ok: 7 events in 1 registries, .*\n$/);
  });

  it('prints history, and restores a registry from the command line as new events attributed to $USER', async () => {
    const events = await cli('history', '--registry', 'team');
    expect(events.code).toBe(0);
    expect(events.stdout.trim().split('\n')).toHaveLength(7);
    expect(events.stdout).toContain('profile.deleted\tbeta');
    const versions = await cli('history', '--registry', 'team', '--profile', 'alpha');
    expect(versions.stdout.trim().split('\n').map((line) => line.split('\t')[0])).toEqual(['v2', 'v1']);
    expect(versions.stdout).toContain('"path":"/description","value":"second"');

    const before = await storeSnapshot(t.store.db);
    const dry = await cli('restore', '--registry', 'team', '--to-version', '4', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run:');
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const restored = await cli('restore', '--registry', 'team', '--to-version', '4');
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const registry = (await get('/api/registries/team')).json();
    expect(Object.keys(registry.profiles).sort()).toEqual(['alpha', 'beta']);
    expect(registry.profiles.alpha.description).toBe('first');
    expect(registry.metadata).toMatchObject({ updated_by: 'operator-jo', source: 'cli' });
    expect((await cli('verify')).code).toBe(0);
  });

  it('refuses bad input with one clear line and a non-zero exit, changing nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    const cases: [string[], RegExp][] = [
      [['restore', '--registry', 'team'], /exactly one of --to-version and --as-of/],
      [['restore', '--registry', 'team', '--as-of', 'soon'], /as-of/],
      [['restore', '--registry', 'nowhere', '--to-version', '1'], /registry "nowhere" not found/],
      [['restore', '--registry', 'team', '--to-version', '999'], /registry version 999 not found/],
      [['history', '--registry', 'Bad Slug!'], /invalid registry/],
      [['history', '--registry', 'team', '--profile', 'nobody'], /profile not found/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('verify names the registry whose projection was changed behind its back, and rebuild repairs it', async () => {
    const good = await get('/api/registries/team');
    // profile_registries is a view: its payload_json is made of these header bytes and the profile rows
    const header = await t.store.db.get<{ header_json: string }>("SELECT header_json FROM registry_headers WHERE slug = 'team'");
    const forged = JSON.stringify({ ...JSON.parse(header!.header_json), description: 'forged' });
    await t.store.db.run("UPDATE registry_headers SET header_json = $1 WHERE slug = 'team'", [forged]);
    const tampered = await t.store.db.get<{ payload_text: string }>("SELECT payload_text FROM profile_registries WHERE slug = 'team'");
    expect(JSON.parse(tampered!.payload_text).description).toBe('forged');
    const failed = await cli('verify');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/^profile-registry: verify failed: registry "team": profile_registries row "team" differs/);

    const rebuilt = await cli('rebuild');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuilt \d+ registries from \d+ events/);
    expect((await cli('verify')).code).toBe(0);
    expect((await get('/api/registries/team')).json()).toEqual(good.json());
  });

  it('verify refuses a snapshot that does not match the events, and rebuild rewrites the snapshots', async () => {
    const stamp = { created_at_ms: 0, updated_at_ms: 0, created_by: 'x', updated_by: 'x', source: 'x' };
    const forged = JSON.stringify({ format: 3, slug: 'team', live: true, version: 2, stamp, tombstones: [], profile_refs: [] });
    await t.store.db.run("INSERT INTO registry_snapshots (stream_id, stream_version, state_json) VALUES ('team', 2, $1)", [forged]);
    const failed = await cli('verify');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('registry "team": snapshot at version 2 differs from the events');
    expect((await cli('rebuild')).code).toBe(0);
    expect((await cli('verify')).code).toBe(0);

    const dangling = JSON.stringify({ format: 3, slug: 'team', live: true, version: 3, stamp, tombstones: [], profile_refs: [['ghost', 7, 0, 'x']] });
    await t.store.db.run("INSERT INTO registry_snapshots (stream_id, stream_version, state_json) VALUES ('team', 3, $1)", [dangling]);
    const unreadable = await cli('verify');
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toContain('registry "team": snapshot at version 3 cannot be read');
    expect(unreadable.stderr).toContain('names profile "ghost" version 7, which no event made');
    expect((await cli('rebuild')).code).toBe(0);
    expect((await cli('verify')).code).toBe(0);
  }, 120_000); // six runs of the CLI: on a loaded machine more than the default 30 s

  it('verify names the position of an event whose data was changed with plain SQL', async () => {
    const row = await t.store.db.get<{ position: number | string }>(
      "SELECT position FROM events WHERE stream_id = 'team' AND stream_version = 5",
    );
    const position = Number(row?.position);
    await t.store.db.run("UPDATE events SET data_json = REPLACE(data_json, 'second', 'SECOND') WHERE position = $1", [position]);
    const failed = await cli('verify');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`event at position ${position} (registry "team", version 5)`);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('backup points PostgreSQL users to pg_dump or names a missing folder; verify refuses a missing SQLite file', async () => {
    const result = await cli('backup', '/tmp/no/such/folder/profiles.db');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      backend === 'postgres'
        ? 'profile-registry: backup copies SQLite files; for PostgreSQL use pg_dump (e.g. pg_dump -Fc -f profiles.dump "$DSN")\n'
        : 'profile-registry: cannot write /tmp/no/such/folder/profiles.db: its folder does not exist\n',
    );
    const missing = await runCli(['verify', '--profile-registry-db', '/tmp/no/such/profiles.db']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('profile-registry: no database at /tmp/no/such/profiles.db\n');
  });
});
