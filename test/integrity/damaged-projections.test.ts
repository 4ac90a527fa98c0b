import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { runCli } from '../support/run-cli.js';
import { buildTestApp, openTestApp, type TestApp } from '../support/test-store.js';

/** A projection row edited by hand into something that is not JSON (plain SQL, as someone with the database file would). */
describeEachBackend('a damaged projection row on %s', (backend) => {
  let t: TestApp;
  let damaged: FastifyInstance;
  beforeAll(async () => {
    t = await openTestApp(backend);
    for (const [url, payload] of [
      ['/api/registries', { slug: 'team' }],
      ['/api/chat/profiles', { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'first' } }],
      ['/api/chat/profiles', { registry: 'team', slug: 'beta' }],
    ] as const) {
      const response = await t.app.inject({ method: 'POST', url, payload });
      expect(response.statusCode, response.body).toBe(201);
    }
    // PostgreSQL keeps a JSONB copy of stored_json, so there the damage is JSON that is not a profile
    const broken = backend === 'postgres' ? `'"not a profile"'` : `'{"slug":"alpha","runtime":{'`;
    await t.store.db.run(`UPDATE profile_documents SET stored_json = ${broken} WHERE registry = 'team' AND slug = 'alpha'`);
    await t.store.db.run(`UPDATE registry_headers SET summary_json = '{"slug":"team",' WHERE slug = 'team'`);
    // a server started on the damaged database (no read cached from before)
    damaged = await buildTestApp({ store: await t.reopen() });
    await damaged.ready();
  });
  afterAll(async () => {
    await damaged?.close();
    await t?.close();
  });

  it('answers 500 "projection damaged: run verify" to every read of the row, never 200 with broken JSON nor 400 blaming the client', async () => {
    for (const url of [
      '/api/chat/profiles/alpha?registry=team',
      '/api/chat/profiles?registry=team',
      '/api/chat/profiles',
      '/api/registries/team',
      '/api/registries',
      '/api/chat/resolve/alpha?registry=team',
    ]) {
      const response = await damaged.inject({ method: 'GET', url });
      expectProblem(response, 500, 'projection damaged: run verify');
    }
  });

  it('counts those answers in /metrics', async () => {
    const metrics = await damaged.inject({ method: 'GET', url: '/metrics' });
    const counted = /^profile_registry_projection_damaged_total (\d+)$/m.exec(metrics.body);
    expect(counted, 'the counter is exported').not.toBeNull();
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(6);
  });

  it('still serves what is intact', async () => {
    const beta = await damaged.inject({ method: 'GET', url: '/api/chat/profiles/beta?registry=team' });
    expect(beta.statusCode, beta.body).toBe(200);
    expect(beta.json()).toMatchObject({ slug: 'beta', registry: 'team' });
  });

  it('is named by verify, row by row', async () => {
    const run = await runCli(['verify', ...t.cliDatabaseArgs]);
    expect(run.code).not.toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/profile_documents[^;]*team\/alpha/);
    expect(output).toMatch(/registry_headers[^;]*team/);
  });
});
