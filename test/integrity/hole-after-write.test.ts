import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/run-cli.js';
import { cutTeamTail, writeTeamHistory } from '../support/shortened-log.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * A careful forger deletes a registry's last events, points its head back and removes their
 * change-feed rows; then an honest write lands on top (a command-line restore, which does not
 * compare served heads). The projections now agree with the shortened log, the chain of every
 * stream holds, the log's last position is the sequence's: only the positions the hashes bind
 * still show the hole, and they must go on showing it.
 */
describeEachBackend('a hole in the log stays a hole after later writes, on %s', (backend) => {
  let t: TestApp;
  let deleted: number[];
  let written: number;
  beforeAll(async () => {
    t = await openTestApp(backend);
    await writeTeamHistory(t);
    deleted = await cutTeamTail(t);
    for (const position of deleted) await t.store.db.run('DELETE FROM change_affected WHERE position = $1', [position]);
    const restore = await runCli(['restore', '--registry', 'team', '--to-version', '2', ...t.cliDatabaseArgs]);
    expect(restore.code, restore.stderr).toBe(0);
    written = Number((await t.store.db.get<{ last: number | string }>('SELECT MAX(position) AS last FROM events'))!.last);
  });
  afterAll(async () => t?.close());

  it('the honest write took the next position, past the hole', () => {
    expect(written).toBe(deleted[1] + 1);
  });

  it('verify still names the missing positions, as an event-level cause', async () => {
    const run = await runCli(['verify', ...t.cliDatabaseArgs]);
    expect(run.code).not.toBe(0);
    const version = Number((await t.store.db.get<{ v: number | string }>('SELECT stream_version AS v FROM events WHERE position = $1', [written]))!.v);
    expect(run.stderr).toContain(
      `verify failed: event at position ${written} (registry "team", version ${version}): positions ${deleted[0]} to ${deleted[1]} are missing before it: events were deleted`,
    );
    expect(run.stderr).toContain('do not rebuild');
  });

  it('rebuild refuses it and serve does not start on it', async () => {
    const rebuild = await runCli(['rebuild', ...t.cliDatabaseArgs]);
    expect(rebuild.code).not.toBe(0);
    expect(rebuild.stderr).toContain(`rebuild refused: the hash chain is broken at event at position ${written}`);
    const serve = await runCli(['serve', '--port', '0', '--log-level', 'silent', ...t.cliDatabaseArgs]);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain(`positions ${deleted[0]} to ${deleted[1]} are missing before it`);
  });
});
