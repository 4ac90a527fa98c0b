import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealOf } from '../../src/domain/row-seal.js';
import { parseSigningKeys } from '../../src/domain/signing-keys.js';
import { eventHash, GENESIS_HASH, type HashedFields } from '../../src/events/event-hash.js';
import { changeRowSealed } from '../../src/projections/change-feed-store.js';
import { eventSealed } from '../../src/events/event-seals.js';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore } from '../../src/use-cases/registry-store.js';
import { expectProblem } from '../support/problem-assertions.js';
import { runCli } from '../support/run-cli.js';
import { startServer } from '../support/server-process.js';
import { copySqlite, withSqlite } from '../support/sqlite-copy.js';
import { openTestApp, type TestApp, buildTestApp } from '../support/test-store.js';
import { postgresAvailable } from '../support/postgres.js';

const KEYS_YAML = 'keys:\n  - id: ops-2026\n    secret: a-long-enough-checkpoint-secret\n';

interface EventRow {
  position: number;
  stream_version: number;
  type: string;
  data_json: string;
  metadata_json: string;
  hash: string;
}

describe('a tamper-evident log on SQLite copies', () => {
  let t: TestApp;
  let dir: string;
  let keysFile: string;
  const copy = () => copySqlite(t.dbPath as string, dir);
  const dbArgs = (path: string) => ['--profile-registry-db', path];
  const teamEvents = (path: string) =>
    withSqlite(path, (db) => db.prepare("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version").all() as EventRow[]);
  const alphaPrompt = (path: string) =>
    withSqlite(path, (db) => {
      const row = db.prepare("SELECT stored_json FROM profile_documents WHERE registry = 'team' AND slug = 'alpha'").get() as {
        stored_json: string;
      };
      return JSON.parse(row.stored_json).runtime.system_prompt as string;
    });
  /** Removes the last `count` events of stream `team` and points its head at the event left last, as a careful forger would. */
  const truncateTeam = (path: string, count: number) =>
    withSqlite(path, (db) => {
      const events = db.prepare("SELECT position, stream_version, hash FROM events WHERE stream_id = 'team' ORDER BY stream_version").all() as EventRow[];
      const kept = events[events.length - 1 - count];
      db.prepare("DELETE FROM events WHERE stream_id = 'team' AND stream_version > ?").run(kept.stream_version);
      db.prepare("UPDATE streams SET version = ?, last_hash = ?, last_position = ? WHERE stream_id = 'team'").run(
        kept.stream_version,
        kept.hash,
        kept.position,
      );
      return events.slice(-count);
    });

  /** The same history written by a server with signing keys: every seal an HMAC. */
  let keyed: TestApp;
  const copyKeyed = () => copySqlite(keyed.dbPath as string, dir);
  const history = async (app: TestApp) => {
    const write = async (method: 'POST' | 'PATCH', url: string, payload: object, headers: Record<string, string> = {}) => {
      const response = await app.app.inject({ method, url, payload, headers: { 'x-actor': 'alice', ...headers } });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    await write('POST', '/api/registries', { slug: 'team' });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'honest prompt' } });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'beta', description: 'kept' }, { 'idempotency-key': 'create-beta' });
    await write('PATCH', '/api/chat/profiles/alpha?registry=team', { description: 'second' });
    await write('PATCH', '/api/chat/profiles/alpha?registry=team', { runtime: { system_prompt: 'third prompt' } });
  };

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    dir = dirname(t.dbPath as string);
    keysFile = join(dir, 'keys.yaml');
    writeFileSync(keysFile, KEYS_YAML, { mode: 0o600 });
    await history(t);
    const verified = await runCli(['verify', ...dbArgs(t.dbPath as string)]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('without --signing-keys-file this detects accidents, not forgery');
    keyed = await openTestApp('sqlite', { signingKeys: parseSigningKeys(KEYS_YAML) });
    await history(keyed);
    const keyedVerify = await runCli(['verify', '--signing-keys-file', keysFile, ...dbArgs(keyed.dbPath as string)]);
    expect(keyedVerify.stderr).toBe('');
    expect(keyedVerify.stdout).toContain('every seal an HMAC of a listed key');
  });
  afterAll(async () => {
    await t?.close();
    await keyed?.close();
  });

  describe('a forged profile.updated appended with a bogus hash', () => {
    let forged: string;
    let position: number;
    beforeAll(() => {
      forged = copy();
      position = withSqlite(forged, (db) => {
        const last = db
          .prepare("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version DESC LIMIT 1")
          .get() as EventRow;
        const data = JSON.parse(last.data_json);
        data.version += 1;
        data.content.runtime.system_prompt = 'FORGED PROMPT';
        const inserted = db
          .prepare(
            `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
             VALUES ('team', ?, 'profile.updated', 1, ?, ?, ?, ?, 'bogus')`,
          )
          .run(last.stream_version + 1, JSON.stringify(data), last.metadata_json, Date.now(), last.hash);
        db.prepare("UPDATE streams SET version = version + 1, last_hash = 'bogus', last_position = ? WHERE stream_id = 'team'").run(
          inserted.lastInsertRowid,
        );
        return Number(inserted.lastInsertRowid);
      });
    });

    it('verify names the forged event and does not advise a rebuild', async () => {
      const result = await runCli(['verify', ...dbArgs(forged)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`verify failed: event at position ${position} (registry "team", version 7): its stored bytes do not match its hash`);
      expect(result.stderr).toContain('do not rebuild');
      expect(result.stderr).not.toContain('run `profile-registry rebuild`');
    });

    it('rebuild refuses it, naming the first bad position, and leaves the projections alone', async () => {
      const result = await runCli(['rebuild', ...dbArgs(forged)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toBe(
        `profile-registry: rebuild refused: the hash chain is broken at event at position ${position} (registry "team", version 7): its stored bytes do not match its hash; keep this database as evidence and restore a backup, or pass --accept-broken-chain to rebuild from these events anyway (the act is recorded)\n`,
      );
      expect(alphaPrompt(forged)).toBe('third prompt');
    });

    it('serve refuses to start on it with one clear line', async () => {
      const result = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...dbArgs(forged)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toBe(
        `profile-registry: refusing to serve: the hash chain is broken at event at position ${position} (registry "team", version 7): its stored bytes do not match its hash; run \`profile-registry verify\`, or serve it with --read-only-forensics\n`,
      );
    });

    it('serve --read-only-forensics serves reads and refuses every write with 503 problem+json', async () => {
      const before = teamEvents(forged);
      const server = await startServer([...dbArgs(forged), '--read-only-forensics']);
      try {
        const read = await fetch(`${server.url}/api/chat/profiles/alpha?registry=team`);
        expect(read.status).toBe(200);
        expect((await read.json()).runtime.system_prompt).toBe('third prompt');
        const write = await fetch(`${server.url}/api/chat/profiles/alpha?registry=team`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: 'during forensics' }),
        });
        expect(write.status).toBe(503);
        expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect((await write.json()).detail).toContain(`read-only forensics: the event log failed verification (event at position ${position}`);
      } finally {
        await server.stop();
      }
      expect(teamEvents(forged)).toEqual(before);
    });

    it('serve --chain-check background still refuses to start: the stream head does not match its last event', async () => {
      const result = await runCli(['serve', '--port', '0', '--log-level', 'silent', '--chain-check', 'background', ...dbArgs(forged)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`refusing to serve: the hash chain is broken at event at position ${position} (registry "team", version 7)`);
    });

    it('rebuild --accept-broken-chain rebuilds from the forged events, records the act, and verify shows the record', async () => {
      const accepted = copySqlite(forged, dir);
      const result = await runCli(['rebuild', '--accept-broken-chain', ...dbArgs(accepted)], { USER: 'operator-jo' });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`WARNING: rebuilt over a broken hash chain (event at position ${position}`);
      expect(alphaPrompt(accepted)).toBe('FORGED PROMPT');
      const audit = withSqlite(accepted, (db) => db.prepare('SELECT actor, action, detail FROM integrity_audit').all());
      expect(audit).toEqual([
        {
          actor: 'operator-jo',
          action: 'rebuild over a broken hash chain',
          detail: `event at position ${position} (registry "team", version 7): its stored bytes do not match its hash`,
        },
      ]);
      const verify = await runCli(['verify', ...dbArgs(accepted)]);
      expect(verify.code).not.toBe(0);
      expect(verify.stderr).toMatch(/verify: recorded: \S+ operator-jo: rebuild over a broken hash chain: event at position/);
    });
  });

  it('serve (the default check: writes wait for the whole chain) stops with one clear line on a break deep in history', async () => {
    const path = copy();
    const events = teamEvents(path);
    withSqlite(path, (db) =>
      db.prepare("UPDATE events SET data_json = REPLACE(data_json, 'honest prompt', 'EDITED PROMPT') WHERE position = ?").run(events[1].position),
    );
    const before = teamEvents(path);
    const result = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...dbArgs(path)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      `profile-registry: refusing to serve: the hash chain is broken at event at position ${events[1].position} (registry "team", version 2): its stored bytes do not match its hash; run \`profile-registry verify\`, or serve it with --read-only-forensics\n`,
    );
    expect(teamEvents(path)).toEqual(before);
  });

  it('serve --chain-check background serves at once and turns every write away once it finds a break deep in history', async () => {
    const path = copy();
    const events = teamEvents(path);
    withSqlite(path, (db) =>
      db.prepare("UPDATE events SET data_json = REPLACE(data_json, 'honest prompt', 'EDITED PROMPT') WHERE position = ?").run(events[1].position),
    );
    const server = await startServer([...dbArgs(path), '--chain-check', 'background']);
    try {
      const patch = () =>
        fetch(`${server.url}/api/chat/profiles/beta?registry=team`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: `try ${Date.now()}` }),
        });
      let response = await patch();
      for (let i = 0; i < 100 && response.status !== 503; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        response = await patch();
      }
      expect(response.status).toBe(503);
      expect((await response.json()).detail).toContain(`read-only: the event log failed verification (event at position ${events[1].position}`);
      expect((await fetch(`${server.url}/api/chat/profiles/alpha?registry=team`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('a deleted last event with a fixed-up stream head: verify names event-level causes and does not advise a rebuild', async () => {
    const path = copy();
    const [deleted] = truncateTeam(path, 1);
    const result = await runCli(['verify', ...dbArgs(path)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `the log ends at position ${deleted.position - 1} but positions up to ${deleted.position} were committed: events were deleted from its tail`,
    );
    expect(result.stderr).toContain(
      `events were sealed up to position ${deleted.position} but the log ends at position ${deleted.position - 1}: events were deleted from its tail`,
    );
    expect(result.stderr).toContain('registry_headers row "team" is at version 6 but the events end at version 5: events it saw are missing');
    expect(result.stderr).toContain(`change feed row at position ${deleted.position} has no event`);
    expect(result.stderr).not.toContain('run `profile-registry rebuild`');
    // the chain is intact, but rebuild refuses too: it would erase what the projections still show
    const rebuild = await runCli(['rebuild', ...dbArgs(path)]);
    expect(rebuild.code).not.toBe(0);
    expect(rebuild.stderr).toBe(
      `profile-registry: rebuild refused: events are missing: the log ends at position ${deleted.position - 1} but positions up to ${deleted.position} were committed: events were deleted from its tail; keep this database as evidence and restore a backup, or pass --accept-broken-chain to rebuild from these events anyway (the act is recorded)\n`,
    );
    withSqlite(path, (db) => {
      db.prepare("UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'events'").run();
      db.prepare('DELETE FROM event_seals WHERE position > (SELECT MAX(position) FROM events)').run();
    });
    const ahead = await runCli(['rebuild', ...dbArgs(path)]);
    expect(ahead.stderr).toContain('rebuild refused: events are missing: registry "team": its projection is at version 6 but the events end at version 5');
  });

  it('verify --checkpoint catches a truncated tail that the chain alone cannot', async () => {
    const path = copyKeyed();
    const checkpointFile = join(dir, 'checkpoints.jsonl');
    const taken = await runCli(['checkpoint', '--signing-keys-file', keysFile, '--output', checkpointFile, ...dbArgs(path)]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^checkpoint at position \d+ \(1 registries\) appended to /);
    const checkpoint = JSON.parse(readFileSync(checkpointFile, 'utf8').trim());
    expect(checkpoint).toMatchObject({ format: 'profile-registry-checkpoint/1', key_id: 'ops-2026', streams: { team: { version: 6 } } });
    expect(checkpoint.hmac).toMatch(/^[0-9a-f]{64}$/);
    expect((await runCli(['verify', '--checkpoint', checkpointFile, '--signing-keys-file', keysFile, ...dbArgs(path)])).code).toBe(0);

    // a careful forger: cut the last two events, fix the head, the sequence and the change feed, drop
    // the registry's projection rows (which still show the lost versions), then rebuild
    const removed = truncateTeam(path, 2);
    withSqlite(path, (db) => {
      db.prepare("UPDATE sqlite_sequence SET seq = (SELECT MAX(position) FROM events) WHERE name = 'events'").run();
      for (const event of removed) {
        db.prepare('DELETE FROM change_affected WHERE position = ?').run(event.position);
        db.prepare('DELETE FROM event_seals WHERE position = ?').run(event.position);
      }
      db.prepare("DELETE FROM registry_headers WHERE slug = 'team'").run();
      db.prepare("DELETE FROM profile_documents WHERE registry = 'team'").run();
    });
    expect((await runCli(['rebuild', ...dbArgs(path)])).code).toBe(0);
    const chainOnly = await runCli(['verify', ...dbArgs(path)]);
    expect(chainOnly.code, chainOnly.stderr).toBe(0);

    const result = await runCli(['verify', '--checkpoint', checkpointFile, '--signing-keys-file', keysFile, ...dbArgs(path)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /verify failed: registry "team": the checkpoint of \S+ \(position \d+\) saw version 6, the events end at version 4: events were deleted/,
    );
    expect(result.stderr).not.toContain('run `profile-registry rebuild`');

    // the checkpoint itself cannot be edited to match
    const edited = join(dir, 'edited-checkpoint.json');
    writeFileSync(edited, JSON.stringify({ ...checkpoint, streams: { team: { version: 4, hash: teamEvents(path)[3].hash } } }));
    const forgedCheckpoint = await runCli(['verify', '--checkpoint', edited, '--signing-keys-file', keysFile, ...dbArgs(path)]);
    expect(forgedCheckpoint.code).not.toBe(0);
    expect(forgedCheckpoint.stderr).toContain('its hmac does not match (the checkpoint itself was edited)');
  });

  it('checkpoint and verify --checkpoint without a signing keys file answer one clear line', async () => {
    const path = copy();
    const result = await runCli(['checkpoint', ...dbArgs(path)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe('profile-registry: checkpoint needs --signing-keys-file\n');
    const badKeys = join(dir, 'bad-keys.yaml');
    writeFileSync(badKeys, 'keys:\n  - id: short\n    secret: tiny\n');
    const bad = await runCli(['checkpoint', '--signing-keys-file', badKeys, ...dbArgs(path)]);
    expect(bad.stderr).toBe(`profile-registry: signing keys file: keys.0.secret must be at least 16 characters (${badKeys})\n`);
    expect(bad.stderr).not.toContain('tiny');
  });

  it('reordered events and an edited change-feed row are named by verify', async () => {
    const reordered = copy();
    const events = teamEvents(reordered);
    withSqlite(reordered, (db) => {
      const swap = db.prepare('UPDATE events SET data_json = ?, metadata_json = ? WHERE position = ?');
      swap.run(events[3].data_json, events[3].metadata_json, events[4].position);
      swap.run(events[4].data_json, events[4].metadata_json, events[3].position);
    });
    const swapped = await runCli(['verify', ...dbArgs(reordered)]);
    expect(swapped.code).not.toBe(0);
    expect(swapped.stderr).toContain(`event at position ${events[3].position} (registry "team", version 4): its stored bytes do not match its hash`);

    const feed = copy();
    const position = events[1].position; // alpha's creation changed its fingerprint
    withSqlite(feed, (db) => db.prepare("UPDATE change_affected SET affected_json = '[]' WHERE position = ?").run(position));
    const edited = await runCli(['verify', ...dbArgs(feed)]);
    expect(edited.code).not.toBe(0);
    expect(edited.stderr).toContain(`change feed row at position ${position} was edited: its seal does not match (mismatch)`);
    expect(edited.stderr).not.toContain('run `profile-registry rebuild`');
  });

  it('an edited stored idempotent response: verify names it and a replay refuses to send it', async () => {
    const path = copy();
    withSqlite(path, (db) =>
      db.prepare("UPDATE idempotency_keys SET body = replace(body, '\"kept\"', '\"EVIL\"') WHERE key = 'create-beta'").run(),
    );
    const result = await runCli(['verify', ...dbArgs(path)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('stored response of Idempotency-Key "create-beta" was edited: its seal does not match (mismatch)');

    const store = await createRegistryStore(openDatabase({ path }));
    const app = await buildTestApp({ store });
    try {
      const replay = await app.inject({
        method: 'POST',
        url: '/api/chat/profiles',
        headers: { 'idempotency-key': 'create-beta', 'x-actor': 'alice' },
        payload: { registry: 'team', slug: 'beta', description: 'kept' },
      });
      expectProblem(replay, 500, 'the stored response for this Idempotency-Key failed its integrity check (mismatch)');
      expect(replay.body).not.toContain('EVIL');
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('the server appends a signed checkpoint every N events, which verify --checkpoint accepts', async () => {
    const path = copyKeyed();
    const checkpointFile = join(dir, 'server-checkpoints.jsonl');
    const server = await startServer([
      ...dbArgs(path),
      '--signing-keys-file',
      keysFile,
      '--checkpoint-every',
      '2',
      '--checkpoint-file',
      checkpointFile,
    ]);
    try {
      for (const description of ['a', 'b', 'c', 'd']) {
        const response = await fetch(`${server.url}/api/chat/profiles/beta?registry=team`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description }),
        });
        expect(response.status).toBe(200);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const lines = readFileSync(checkpointFile, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2); // at start, after every 2 events or more, and at stop
    expect(JSON.parse(lines[lines.length - 1]).streams.team.version).toBe(10);
    const result = await runCli(['verify', '--checkpoint', checkpointFile, '--signing-keys-file', keysFile, ...dbArgs(path)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^verify ok: .*, \d+ checkpoint\(s\) hold/);
  });

  describe('with signing keys, only HMAC seals of a listed key hold', () => {
    const keysArgs = () => ['--signing-keys-file', keysFile];
    /** Rewrites every event of "team" (content edited by `edit`) with its SHA-256 chain, head and seals recomputed, as someone without the key would. */
    const rewriteTeam = (path: string, edit: (dataJson: string) => string) =>
      withSqlite(path, (db) => {
        const rows = db.prepare("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version").all() as (EventRow & HashedFields)[];
        let prev = GENESIS_HASH;
        for (const row of rows) {
          const data_json = edit(row.data_json);
          const hash = eventHash(prev, { ...row, data_json }, row.position);
          db.prepare('UPDATE events SET data_json = ?, prev_hash = ?, hash = ? WHERE position = ?').run(data_json, prev, hash, row.position);
          db.prepare('UPDATE event_seals SET seal = ? WHERE position = ?').run(sealOf(undefined, eventSealed(row.position, hash)), row.position);
          const feed = db.prepare('SELECT affected_json FROM change_affected WHERE position = ?').get(row.position) as { affected_json: string } | undefined;
          if (feed) {
            db.prepare('UPDATE change_affected SET seal = ? WHERE position = ?').run(
              sealOf(undefined, changeRowSealed(row.position, hash, feed.affected_json)),
              row.position,
            );
          }
          prev = hash;
        }
        db.prepare("UPDATE streams SET last_hash = ? WHERE stream_id = 'team'").run(prev);
        return rows;
      });
    const refusedEverywhere = async (path: string, named: string) => {
      const verify = await runCli(['verify', ...keysArgs(), ...dbArgs(path)]);
      expect(verify.code).not.toBe(0);
      expect(verify.stderr).toContain(`verify failed: ${named}`);
      expect(verify.stderr).toContain('do not rebuild');
      const serve = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...keysArgs(), ...dbArgs(path)]);
      expect(serve.code).not.toBe(0);
      expect(serve.stderr).toMatch(/^profile-registry: refusing to serve: the events do not verify under the signing keys: event at position \d+ \(registry "team", version \d+\): /);
      const rebuild = await runCli(['rebuild', ...keysArgs(), ...dbArgs(path)]);
      expect(rebuild.code).not.toBe(0);
      expect(rebuild.stderr).toContain(`rebuild refused: the events do not verify under the signing keys: ${named}`);
    };

    const plainSealOfFirstTeamEvent = (position: number) =>
      `event at position ${position} (registry "team", version 1): its seal is a plain SHA-256 digest, not an HMAC of a listed key (written without keys, or forged)`;

    it('a store written without keys: verify, serve and rebuild with keys refuse its SHA-256 seals, naming the event', async () => {
      const path = copy();
      const [first] = teamEvents(path);
      await refusedEverywhere(path, plainSealOfFirstTeamEvent(first.position));
    });

    it('rebuild --accept-broken-chain with keys rebuilds, records the act and seals again under the key; verify then shows the record', async () => {
      const path = copy();
      const rebuild = await runCli(['rebuild', '--accept-broken-chain', ...keysArgs(), ...dbArgs(path)], { USER: 'operator-jo' });
      expect(rebuild.code, rebuild.stderr).toBe(0);
      expect(rebuild.stderr).toContain('WARNING: rebuilt over a broken hash chain (event at position');
      const audit = withSqlite(path, (db) => db.prepare('SELECT actor, action, detail FROM integrity_audit ORDER BY id').all());
      expect(audit).toEqual([
        { actor: 'operator-jo', action: 'rebuild over a broken hash chain', detail: expect.stringContaining('its seal is a plain SHA-256 digest') },
        { actor: 'operator-jo', action: 'sealed again under the signing keys', detail: 'every event, change-feed row and stored response, with key "ops-2026"' },
      ]);
      const verify = await runCli(['verify', ...keysArgs(), ...dbArgs(path)]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stderr).toMatch(/verify: recorded: \S+ operator-jo: sealed again under the signing keys/);
      expect(verify.stdout).toContain('every seal an HMAC of a listed key');
    });

    it('an event edited with its SHA-256 chain, head and seals recomputed: refused by verify, serve and rebuild with keys', async () => {
      const path = copyKeyed();
      rewriteTeam(path, (data) => data.replace('honest prompt', 'FORGED PROMPT'));
      withSqlite(path, (db) => db.prepare("UPDATE profile_documents SET stored_json = REPLACE(stored_json, 'honest prompt', 'FORGED PROMPT')").run());
      const [first] = teamEvents(path);
      await refusedEverywhere(path, plainSealOfFirstTeamEvent(first.position));
    });

    it('a forged profile.published appended with a valid chain: refused by verify, serve and rebuild with keys', async () => {
      const path = copyKeyed();
      const position = withSqlite(path, (db) => {
        const last = db.prepare("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version DESC LIMIT 1").get() as EventRow &
          HashedFields & { prev_hash: string };
        const fields = {
          stream_id: 'team',
          stream_version: last.stream_version + 1,
          type: 'profile.published',
          schema_version: 1,
          data_json: JSON.stringify({ profile: 'alpha', algorithm: 'hmac-sha256', key_id: 'ops-2026', version: 3, signed_at: '2026-12-01T00:00:00Z', signed_by: 'mallory', value: 'f'.repeat(64) }),
          metadata_json: last.metadata_json,
        };
        const next = Number((db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number }).seq) + 1;
        const hash = eventHash(last.hash, fields, next);
        db.prepare(
          `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(next, 'team', fields.stream_version, fields.type, 1, fields.data_json, fields.metadata_json, Date.now(), last.hash, hash);
        db.prepare('INSERT INTO event_seals (position, seal) VALUES (?, ?)').run(next, sealOf(undefined, eventSealed(next, hash)));
        db.prepare("UPDATE streams SET version = version + 1, last_hash = ?, last_position = ? WHERE stream_id = 'team'").run(hash, next);
        return next;
      });
      expect((await runCli(['verify', ...dbArgs(path)])).stderr).not.toContain(`event at position ${position}`);
      await refusedEverywhere(
        path,
        `event at position ${position} (registry "team", version 7): its seal is a plain SHA-256 digest, not an HMAC of a listed key (written without keys, or forged)`,
      );
      const verify = await runCli(['verify', ...keysArgs(), ...dbArgs(path)]);
      expect(verify.stderr).toMatch(/signature of profile "team\/alpha" version 3 \(event at position \d+\) is invalid/);
    });
  });
});

describe.runIf(postgresAvailable)('a forged event on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('postgres');
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'honest' } } });
  });
  afterAll(async () => t?.close());

  it('written without keys: verify, serve and rebuild with keys refuse its SHA-256 seals, naming the event', async () => {
    const keysFile = join(tmpdir(), `keys-${process.pid}-pg.yaml`);
    writeFileSync(keysFile, KEYS_YAML, { mode: 0o600 });
    const first = await t.store.db.get<{ position: number | string }>("SELECT position FROM events WHERE stream_id = 'team' AND stream_version = 1");
    const named = `event at position ${Number(first!.position)} (registry "team", version 1): its seal is a plain SHA-256 digest, not an HMAC of a listed key`;
    const args = ['--signing-keys-file', keysFile, ...t.cliDatabaseArgs];
    const verify = await runCli(['verify', ...args]);
    expect(verify.code).not.toBe(0);
    expect(verify.stderr).toContain(`verify failed: ${named}`);
    const rebuild = await runCli(['rebuild', ...args]);
    expect(rebuild.stderr).toContain(`rebuild refused: the events do not verify under the signing keys: ${named}`);
    const serve = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...args]);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toMatch(/^profile-registry: refusing to serve: the events do not verify under the signing keys: event at position \d+ \(registry "team", version \d+\): its seal is a plain SHA-256 digest/);
  });

  it('verify names it, rebuild refuses it, serve refuses to start', async () => {
    const last = await t.store.db.get<EventRow>("SELECT * FROM events WHERE stream_id = 'team' ORDER BY stream_version DESC LIMIT 1");
    const row = await t.store.db.get<{ position: number }>(
      `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES ($1, 'team', $2, 'registry.updated', 1, '{"description":"FORGED"}', $3, 0, $4, 'bogus') RETURNING position`,
      [Number(last!.position) + 1, Number(last!.stream_version) + 1, last!.metadata_json, last!.hash],
    );
    await t.store.db.run("UPDATE streams SET version = version + 1, last_hash = 'bogus', last_position = $1 WHERE stream_id = 'team'", [row!.position]);
    const name = `event at position ${row!.position} (registry "team", version ${Number(last!.stream_version) + 1}): its stored bytes do not match its hash`;
    const verify = await runCli(['verify', ...t.cliDatabaseArgs]);
    expect(verify.code).not.toBe(0);
    expect(verify.stderr).toContain(`verify failed: ${name}`);
    const rebuild = await runCli(['rebuild', ...t.cliDatabaseArgs]);
    expect(rebuild.code).not.toBe(0);
    expect(rebuild.stderr).toContain(`rebuild refused: the hash chain is broken at ${name}`);
    const serve = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...t.cliDatabaseArgs]);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain(`refusing to serve: the hash chain is broken at ${name}`);
  });
});
