import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

/**
 * The bin is esbuild's bundle of the command line (scripts/bundle-cli.mjs): what the modules find
 * beside themselves at run time (the console's files, Swagger UI's)
 * must still be found from dist/src/cli/.
 */
describe('the built bin (one bundle with a chunk per command)', () => {
  const { dir, remove } = tempDir();
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(remove);

  it('is a bundle: the entry imports its chunks only, not the modules tsc compiled beside it', () => {
    const imported = [...readFileSync(CLI_MAIN, 'utf8').matchAll(/(?:from |import\()["'](\.[^"']+)["']/g)].map((match) => match[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((file) => !/^\.\/chunk-\w+\.js$/.test(file))).toEqual([]);
  });

  it('starts on a new database, answers /healthz, serves the console, the API docs and takes a write', async () => {
    server = await startServer(['--profile-registry-db', join(dir, 'new.db')]);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const consolePage = await fetch(`${server.url}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<html');
    const docs = await fetch(`${server.url}/docs/static/index.html`);
    expect(docs.status).toBe(200);
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/healthz');
    const created = await fetch(`${server.url}/api/chat/profiles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'bundled' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${server.url}/api/chat/profiles/bundled`)).status).toBe(200);
  });
});
