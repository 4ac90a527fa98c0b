import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', 'data']);

/**
 * better-sqlite3 compiles its native addon on install unless prebuild-install finds a prebuilt
 * one. Offer it the addon this checkout already built, as a local prebuild (prebuild-install's
 * `local-prebuilds`), so that the install does not spend minutes compiling the same C again; when
 * the versions differ, it compiles as any install would.
 */
const localPrebuildOfCheckout = async (dir: string): Promise<Record<string, string>> => {
  const addon = join(REPO, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(addon, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', join(dir, name), '-C', addon, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
};

const waitForReady = async (url: string, exited: () => boolean, output: () => string): Promise<Response> => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited()) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the installed server did not become ready:\n${output()}`);
};

/** The modification time of every built file, by path. */
const builtFiles = (dist: string): Map<string, number> =>
  new Map(
    (readdirSync(dist, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.js'))
      .map((file) => [file, statSync(join(dist, file)).mtimeMs]),
  );

describe('the npm package', () => {
  const { dir, remove } = tempDir();
  // a checkout as a fresh clone has it (no dist/), with the dev dependencies installed
  const checkout = join(dir, 'checkout');
  beforeAll(() => {
    cpSync(REPO, checkout, { recursive: true, filter: (source) => !LEFT_OUT.has(relative(REPO, source).split('/')[0]) });
    symlinkSync(join(REPO, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  });
  afterAll(remove);

  it('builds on install (prepare, which `npm ci` runs); `npm start` serves without compiling again', async () => {
    const env = { ...process.env };
    delete env.PROFILE_REGISTRY_DSN;
    delete env.PROFILE_REGISTRY_DB;
    await run('npm', ['run', 'prepare'], { cwd: checkout, env, maxBuffer: 1 << 24 });
    const built = builtFiles(join(checkout, 'dist'));
    expect(built.has('src/cli/main.js')).toBe(true);

    const port = await freePort();
    const database = join(dir, 'start', 'profiles.db');
    const server = spawn('npm', ['start', '--', '--port', String(port), '--profile-registry-db', database], {
      cwd: checkout,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    let hasExited = false;
    const exited = new Promise<void>((resolve) => server.once('exit', () => ((hasExited = true), resolve())));
    try {
      await waitForReady(`http://127.0.0.1:${port}`, () => hasExited, () => output);
    } finally {
      if (!hasExited) process.kill(-(server.pid as number), 'SIGTERM');
    }
    await exited;
    expect(output).not.toContain('tsc');
    expect(builtFiles(join(checkout, 'dist'))).toEqual(built);
  }, 300_000);

  it('packs the built files, installs with --omit=dev (no compiler for our code) and serves /readyz through npx', async () => {
    // npm pack builds first (prepack empties dist/, prepare compiles)
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: checkout, maxBuffer: 1 << 24 });
    const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
    const tarball = join(dir, filename);
    const listing = (await run('tar', ['-tvzf', tarball])).stdout.split('\n').filter(Boolean);
    const files = listing.map((line) => line.split(/\s+/).at(-1) as string);
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files).toContain('package/dist/src/http/build-app.js');
    expect(files).toContain('package/docs/OPERATIONS.md');
    expect(files.filter((file) => /^package\/(src|test|bench|dist\/bench|dist\/test)\//.test(file))).toEqual([]);
    expect(files.filter((file) => /\.(ts|map)$/.test(file))).toEqual([]);
    expect(listing.find((line) => line.endsWith('package/dist/src/cli/main.js'))).toMatch(/^-rwxr-xr-x/);

    // a production install in an empty folder
    const app = join(dir, 'app');
    mkdirSync(app);
    const env = { ...process.env, ...(await localPrebuildOfCheckout(dir)) };
    delete env.PROFILE_REGISTRY_DSN;
    delete env.PROFILE_REGISTRY_DB;
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: app,
      env,
      maxBuffer: 1 << 24,
    });
    for (const devOnly of ['typescript', 'vitest', '@types/node']) expect(existsSync(join(app, 'node_modules', devOnly))).toBe(false);

    const version = await run('npx', ['profile-registry', '--version'], { cwd: app, env });
    expect(version.stdout.trim()).toBe(manifest.version);

    const port = await freePort();
    const database = join(dir, 'data', 'profiles.db');
    const server = spawn('npx', ['profile-registry', 'serve', '--port', String(port), '--profile-registry-db', database], {
      cwd: app,
      env,
      detached: true, // its own process group: npx and the server it starts stop together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    let hasExited = false;
    const exited = new Promise<void>((resolve) => server.once('exit', () => ((hasExited = true), resolve())));
    const group = -(server.pid as number);
    try {
      const url = `http://127.0.0.1:${port}`;
      const ready = await waitForReady(url, () => hasExited, () => output);
      expect(await ready.json()).toEqual({ status: 'ready' });
      const profiles = (await (await fetch(`${url}/api/chat/profiles`)).json()) as { registry: string; slug: string }[];
      expect(profiles.map((profile) => `${profile.registry}/${profile.slug}`)).toEqual(['default/default']);
      expect(existsSync(database)).toBe(true);
    } finally {
      if (!hasExited) process.kill(group, 'SIGTERM');
    }
    await exited;
    // the server (a child of npx) shuts down on the signal too: its whole process group is gone
    const groupAlive = () => {
      try {
        process.kill(group, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(groupAlive()).toBe(false);
    expect(output).toContain('shutting down');
  }, 480_000);
});
