import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', 'data']);

const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  delete env.PROFILE_REGISTRY_DSN;
  delete env.PROFILE_REGISTRY_DB;
  return env;
};

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

/** The modification time of every built file, by path. */
const builtFiles = (dist: string): Map<string, number> =>
  new Map(
    (readdirSync(dist, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.js'))
      .map((file) => [file, statSync(join(dist, file)).mtimeMs]),
  );

/**
 * Runs a command that serves (through npm or npx, so in a process group of its own) until
 * `/readyz` answers, hands the URL to `check`, then sends SIGTERM to the group and waits until
 * every process of it is gone. Resolves with everything the processes printed.
 */
const serveWhile = async (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, check: (url: string) => Promise<void>) => {
  const port = await freePort();
  const child = spawn(command, [...args, '--port', String(port)], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  const group = -(child.pid as number);
  const groupAlive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 120_000;
    let ready = false;
    while (!ready && !exited && Date.now() < deadline) {
      ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!ready) throw new Error(`${command} ${args.join(' ')} did not become ready:\n${output}`);
    await check(url);
  } finally {
    if (groupAlive()) process.kill(group, 'SIGTERM');
  }
  const deadline = Date.now() + 15_000;
  while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(groupAlive(), output).toBe(false);
  return output;
};

/** The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped, spaces as dashes). */
const headingAnchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6}\s+(.+)$/gm)].map(([, heading]) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );

describe('the npm package', () => {
  const { dir, remove } = tempDir();
  // a checkout as a fresh clone has it (no dist/), with the dev dependencies installed
  const checkout = join(dir, 'checkout');
  let tarball = '';
  let listing: string[] = [];

  beforeAll(async () => {
    cpSync(REPO, checkout, { recursive: true, filter: (source) => !LEFT_OUT.has(relative(REPO, source).split('/')[0]) });
    symlinkSync(join(REPO, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    // npm pack builds first: prepack empties dist/, prepare (which `npm ci` also runs) compiles
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: checkout, env: cleanEnv(), maxBuffer: 1 << 24 });
    const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
    tarball = join(dir, filename);
    listing = (await run('tar', ['-tvzf', tarball])).stdout.split('\n').filter(Boolean);
  }, 300_000);
  afterAll(remove);

  it('carries the built files with an executable bin, and neither sources, tests nor benchmarks', () => {
    const files = listing.map((line) => line.split(/\s+/).at(-1) as string);
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/docs/OPERATIONS.md');
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files).toContain('package/dist/src/http/build-app.js');
    expect(files).toContain('package/dist/console/index.html'); // the admin console, built, no CDN
    expect(files).toContain('package/dist/console/app.js');
    expect(files.filter((file) => /^package\/(src|test|bench|dist\/bench|dist\/test)\//.test(file))).toEqual([]);
    // no TypeScript sources nor source maps; declarations only for the typed client (profile-registry/client)
    expect(files).toContain('package/dist/src/client/index.d.ts');
    expect(files.filter((file) => /\.(ts|map)$/.test(file) && !/\.d\.ts$/.test(file))).toEqual([]);
    expect(listing.find((line) => line.endsWith('package/dist/src/cli/main.js'))).toMatch(/^-rwxr-xr-x/);
  });

  it('carries every file its Markdown links to: a link in the installed docs never leads nowhere', async () => {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await run('tar', ['-xzf', tarball, '-C', unpacked]);
    const root = join(unpacked, 'package');
    const documents = (readdirSync(root, { recursive: true }) as string[]).filter((file) => file.endsWith('.md') && !file.startsWith('node_modules'));
    expect(documents).toEqual(expect.arrayContaining(['README.md', join('docs', 'OPERATIONS.md'), join('docs', 'SECURITY.md')]));
    const broken: string[] = [];
    for (const document of documents) {
      const text = readFileSync(join(root, document), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:, file:
        const [file, anchor] = target.split('#');
        const path = file === '' ? join(root, document) : join(root, dirname(document), file);
        if (!existsSync(path)) broken.push(`${document}: ${target} (no such file in the package)`);
        else if (anchor !== undefined && path.endsWith('.md') && !headingAnchors(readFileSync(path, 'utf8')).has(anchor)) {
          broken.push(`${document}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('`npm start` in a built checkout serves without compiling again', async () => {
    const built = builtFiles(join(checkout, 'dist'));
    expect(built.has('src/cli/main.js')).toBe(true);
    const database = join(dir, 'start', 'profiles.db');
    const output = await serveWhile('npm', ['start', '--', '--profile-registry-db', database], checkout, cleanEnv(), async (url) => {
      expect((await fetch(`${url}/api/chat/profiles`)).status).toBe(200);
    });
    expect(output).not.toContain('tsc');
    expect(builtFiles(join(checkout, 'dist'))).toEqual(built);
  }, 180_000);

  it('installs with --omit=dev (no compiler for our code) and serves /readyz through npx', async () => {
    const app = join(dir, 'app');
    mkdirSync(app);
    const env = cleanEnv(await localPrebuildOfCheckout(dir));
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, env, maxBuffer: 1 << 24 });
    for (const devOnly of ['typescript', 'vitest', '@types/node']) expect(existsSync(join(app, 'node_modules', devOnly))).toBe(false);

    const version = await run('npx', ['profile-registry', '--version'], { cwd: app, env });
    expect(version.stdout.trim()).toBe(manifest.version);

    const database = join(dir, 'data', 'profiles.db');
    const output = await serveWhile('npx', ['profile-registry', 'serve', '--profile-registry-db', database], app, env, async (url) => {
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      const profiles = (await (await fetch(`${url}/api/chat/profiles`)).json()) as { registry: string; slug: string }[];
      expect(profiles.map((profile) => `${profile.registry}/${profile.slug}`)).toEqual(['default/default']);
      expect(existsSync(database)).toBe(true);
    });
    // the server (a child of npx) heard the signal too and shut down
    expect(output).toContain('shutting down');
  }, 480_000);
});
