import { execFile } from 'node:child_process';
import { cpSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the profile-registry command', () => {
  const { dir, remove } = tempDir();
  afterAll(remove);

  it('is the package bin: a node script with a shebang, executable', () => {
    expect(join(REPO, manifest.bin['profile-registry'])).toBe(CLI_MAIN);
    expect(readFileSync(CLI_MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(CLI_MAIN).mode & 0o111).toBe(0o111);
  });

  it('runs as `npx profile-registry` in the checkout and prints the package version, on the build that is there', async () => {
    const builtAt = statSync(CLI_MAIN).mtimeMs;
    // a cache of its own: npx's first run in this checkout links it there, and runs its `prepare`
    const env = { ...process.env, npm_config_cache: join(dir, 'npm-cache') };
    const { stdout } = await run('npx', ['profile-registry', '--version'], { cwd: REPO, env });
    expect(stdout.trim()).toBe(manifest.version);
    // not built again (which would rewrite dist/ under whatever runs from it)
    expect(statSync(CLI_MAIN).mtimeMs).toBe(builtAt);
    const direct = await run(CLI_MAIN, ['-V']);
    expect(direct.stdout.trim()).toBe(manifest.version);
  }, 120_000);

  it('reads the version from the package.json it is installed with, when it runs', async () => {
    // the built files beside another package.json: the version printed follows that file
    cpSync(join(REPO, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'profile-registry', version: '9.8.7-test', type: 'module' }));
    const { stdout } = await run(process.execPath, [join(dir, 'dist', 'src', 'cli', 'main.js'), '--version']);
    expect(stdout.trim()).toBe('9.8.7-test');
  });

  it('`npm start` starts what was built: no script compiles before it', () => {
    expect(Object.keys(manifest.scripts).filter((name) => /^pre-?start$|^poststart$/.test(name))).toEqual([]);
    expect(manifest.scripts.start).toBe('exec node dist/src/cli/main.js serve');
  });
});
