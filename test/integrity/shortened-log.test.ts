import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/run-cli.js';
import { startServer } from '../support/server-process.js';
import { cutTeamTail, writeTeamHistory } from '../support/shortened-log.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * Someone with write access to the database deletes a registry's last events and points its stream
 * head back at the event left last (plain SQL): the chain still verifies, but the projections and
 * the change feed served the missing events. `serve` must not write on top of that.
 */
describeEachBackend('a log shorter than what was served, on %s', (backend) => {
  let t: TestApp;
  const teamHead = async () =>
    (await t.store.db.get<{ version: number | string }>("SELECT version FROM streams WHERE stream_id = 'team'"))?.version;
  beforeAll(async () => {
    t = await openTestApp(backend);
    await writeTeamHistory(t);
    await cutTeamTail(t);
  });
  afterAll(async () => t?.close());

  it('serve starts read-only by default, logs loudly what is missing, serves reads and answers every write 503 saying why', async () => {
    const headBefore = await teamHead();
    const server = await startServer(t.cliDatabaseArgs, { logLevel: 'info' });
    try {
      const read = await fetch(`${server.url}/api/chat/profiles/alpha?registry=team`);
      expect(read.status).toBe(200);
      const write = await fetch(`${server.url}/api/chat/profiles/alpha?registry=team`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'written on top of the hole' }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const detail = (await write.json()).detail as string;
      expect(detail).toContain('read-only: the event log is shorter than what was served');
      expect(detail).toMatch(/registry "team" was served at version \d+ but its events end at version \d+/);
      expect(server.output()).toContain('THE EVENT LOG IS SHORTER THAN WHAT WAS SERVED');
    } finally {
      await server.stop();
    }
    expect(await teamHead()).toBe(headBefore);
  });

  it('serve --on-integrity-error refuse does not start, with one line naming what is missing', async () => {
    const run = await runCli(['serve', '--port', '0', '--log-level', 'silent', '--on-integrity-error', 'refuse', ...t.cliDatabaseArgs]);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^profile-registry: refusing to serve: the event log is shorter than what was served: registry "team" was served at version/);
  });

  it('verify reports it as an event-level cause and advises against rebuild', async () => {
    const run = await runCli(['verify', ...t.cliDatabaseArgs]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('registry "team"');
    expect(run.stderr).toContain('do not rebuild');
  });
});
