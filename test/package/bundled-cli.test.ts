import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

/**
 * The bin is esbuild's bundle of the command line (scripts/bundle-cli.mjs): what the modules find
 * beside themselves at run time (the console's files, Swagger UI's)
 * must still be found from dist/src/cli/. `serve` runs from the same command line bundled as one
 * CommonJS script with V8's code cache of it (src/cli/code-cache.ts).
 */
const CLI_DIR = dirname(CLI_MAIN);
const PROGRAM = join(CLI_DIR, 'program.cjs');

/** What compileProgram says of a bundle in a new node process without flags, as a user starts the bin. */
const compiledIn = (bundle: string): { cacheRejected: boolean | null } => {
  const script = `const { compileProgram } = await import(${JSON.stringify(join(CLI_DIR, 'code-cache.js'))});
    process.stdout.write(JSON.stringify({ cacheRejected: compileProgram(${JSON.stringify(bundle)}).cacheRejected ?? null }));`;
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })) as { cacheRejected: boolean | null };
};

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

  it('serve starts from the CommonJS bundle with a code cache of this build that V8 takes', () => {
    expect(compiledIn(PROGRAM)).toEqual({ cacheRejected: false });
  });

  it('a code cache of another build is not used, a damaged one is refused by V8: the script is compiled from its text', () => {
    const copy = join(dir, 'program.cjs');
    copyFileSync(PROGRAM, copy);
    const cache = readFileSync(`${PROGRAM}.cache`);
    const buildLine = cache.subarray(0, cache.indexOf('\n') + 1).toString();
    expect(buildLine).toMatch(/^\/\/ build [\w-]+\n$/);
    writeFileSync(`${copy}.cache`, Buffer.concat([Buffer.from('// build another-build\n'), cache.subarray(buildLine.length)]));
    expect(compiledIn(copy)).toEqual({ cacheRejected: null });
    const damaged = Buffer.from(cache);
    damaged.fill(7, buildLine.length, buildLine.length + 64);
    writeFileSync(`${copy}.cache`, damaged);
    expect(compiledIn(copy)).toEqual({ cacheRejected: true });
  });

  it('starts on a new database, answers /healthz, serves the console, the API docs and takes a write, writing nothing beside the bin', async () => {
    const filesOfBin = () => readdirSync(CLI_DIR).map((file) => `${file} ${statSync(join(CLI_DIR, file)).mtimeMs}`);
    const before = filesOfBin();
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
    expect(filesOfBin()).toEqual(before);
  });
});
