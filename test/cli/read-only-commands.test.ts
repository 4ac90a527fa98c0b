import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, fileState, listing, runEach } from '../support/cli-files.js';
import { CLI_MAIN, runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

describe('commands that only read leave the database byte for byte as it was', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'profiles.db');
  const backup = join(dir, 'backup.db');
  const dbArgs = (path: string) => ['--profile-registry-db', path];

  beforeAll(async () => {
    const bundle = join(dir, 'bundle.yaml');
    writeFileSync(bundle, BUNDLE);
    expect((await runCli(['import', bundle, ...dbArgs(db)])).code).toBe(0);
    const edit = join(dir, 'edit.yaml');
    writeFileSync(edit, BUNDLE.replace('description: first', 'description: second'));
    expect((await runCli(['import', edit, ...dbArgs(db)])).code).toBe(0);
    expect((await runCli(['backup', backup, ...dbArgs(db)])).code).toBe(0);
    // a mode other than the 0600 the server sets, so that a chmod would show
    chmodSync(db, 0o640);
    chmodSync(backup, 0o644);
  });
  afterAll(() => remove());

  const readOnlyCommands: string[][] = [
    ['verify'],
    ['export'],
    ['export', '--format', 'json', '--registry', 'team'],
    ['export', '--as-of', '2020-01-01T00:00:00Z'],
    ['history', '--registry', 'team'],
    ['history', '--registry', 'team', '--profile', 'alpha', '--json'],
    ['restore', '--registry', 'team', '--to-version', '3', '--dry-run'],
  ];

  it.each([
    ['the database', () => db],
    ['a backup of it', () => backup],
  ])('%s, through verify, export, history and restore --dry-run', async (_what, pathOf) => {
    const path = pathOf();
    const before = { file: fileState(path), listing: listing(dir) };
    const results = await runEach(readOnlyCommands.map((args) => [...args, ...dbArgs(path)]));
    for (const [index, result] of results.entries()) {
      expect({ command: readOnlyCommands[index], stderr: result.stderr, code: result.code }).toEqual({
        command: readOnlyCommands[index],
        stderr: '',
        code: 0,
      });
    }
    expect({ file: fileState(path), listing: listing(dir) }).toEqual(before);
    if (existsSync(`${path}-wal`)) expect(statSync(`${path}-wal`).size).toBe(0);
  }, 120_000);

  it('export --output writes only the output file', async () => {
    const before = fileState(db);
    const output = join(dir, 'out.yaml');
    expect((await runCli(['export', '--output', output, ...dbArgs(db)])).code).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('registries:');
    expect(fileState(db)).toEqual(before);
  });
});

describe('progress of verify and export', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'profiles.db');
  beforeAll(async () => {
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    expect((await runCli(['import', join(dir, 'bundle.yaml'), '--profile-registry-db', db])).code).toBe(0);
  });
  afterAll(() => remove());

  /** Runs the CLI on a terminal (a pseudo-terminal from script(1)), with its output as the terminal shows it. */
  const onTerminal = (args: string[], env: Record<string, string>): Promise<CliResult> =>
    new Promise((resolve) => {
      const command = [process.execPath, CLI_MAIN, ...args].map((word) => `'${word}'`).join(' ');
      execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('shows a bar on a terminal once the work has run for the delay, and nothing in a pipe', async () => {
    // the delay is 1 s; 0 here, so that a small database shows it as a large one would
    const env = { PROFILE_REGISTRY_PROGRESS_AFTER_MS: '0' };
    const verify = await onTerminal(['verify', '--profile-registry-db', db], env);
    expect(verify.code).toBe(0);
    // one pass over the events: the chain and the seals are checked on the rebuild aside's read
    expect(verify.stdout).toMatch(/verify \[[^\]]*\] \d+\/\d+ events/);
    expect(verify.stdout).not.toMatch(/events \((hash chains|projections)\)/);
    expect(verify.stdout).toContain('verify ok:');
    const exported = await onTerminal(['export', '--output', join(dir, 'out.yaml'), '--profile-registry-db', db], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/export \[[^\]]*\] 2\/2 registries/);

    const piped = await runEach([
      ['verify', '--profile-registry-db', db],
      ['export', '--profile-registry-db', db],
    ], env);
    for (const result of piped) expect(result.stderr).toBe('');
  });
});
