import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE } from '../support/cli-files.js';
import { runTracked } from '../support/child-processes.js';
import { CLI_MAIN, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

describe('output files and error lines', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'profiles.db');
  const dbArgs = ['--profile-registry-db', db];
  let imported: number;
  beforeAll(async () => {
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    const before = Date.now();
    expect((await runCli(['import', join(dir, 'bundle.yaml'), ...dbArgs])).code).toBe(0);
    imported = before;
    mkdirSync(join(dir, 'a-folder'));
  });
  afterAll(() => remove());

  it('refuses an output that is a directory', async () => {
    const exported = await runCli(['export', '--output', join(dir, 'a-folder'), '--force', ...dbArgs]);
    expect(exported.code).not.toBe(0);
    expect(exported.stderr).toBe(`profile-registry: cannot write ${join(dir, 'a-folder')}: it is a directory\n`);
    const migrated = await runCli(['migrate-legacy', '--input', join(dir, 'bundle.yaml'), '--output', join(dir, 'a-folder'), '--force']);
    expect(migrated.stderr).toBe(`profile-registry: cannot write ${join(dir, 'a-folder')}: it is a directory\n`);
    expect(readdirSync(join(dir, 'a-folder'))).toEqual([]);
  });

  it('names the output and the cause, never a temporary file', async () => {
    const output = join(dir, 'no-such-folder', 'out.yaml');
    const exported = await runCli(['export', '--output', output, ...dbArgs]);
    expect(exported.stderr).toBe(`profile-registry: cannot write ${output}: its folder does not exist\n`);
    writeFileSync(join(dir, 'a-file'), '');
    const underFile = join(dir, 'a-file', 'out.yaml');
    const again = await runCli(['export', '--output', underFile, ...dbArgs]);
    expect(again.stderr).toBe(`profile-registry: cannot write ${underFile}: a part of its path is not a folder\n`);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('names the real cause for a folder that takes no files (/proc), not a missing folder', async () => {
    const backup = await runCli(['backup', '/proc/x.db', ...dbArgs]);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toBe('profile-registry: cannot write /proc/x.db: /proc is on the proc file system, which takes no new files\n');
    const exported = await runCli(['export', '--output', '/proc/x.yaml', ...dbArgs]);
    expect(exported.stderr).toBe('profile-registry: cannot write /proc/x.yaml: /proc is on the proc file system, which takes no new files\n');
  });

  it('stops quietly when its reader goes away (`history | head -1`): no EPIPE stack trace, status 141 as SIGPIPE gives', async () => {
    // enough events that the output outgrows the pipe's buffer after head has gone
    const profiles = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`p${i}`, { slug: `p${i}`, runtime: { system_prompt: `prompt ${i} ${'x'.repeat(200)}` } }]),
    );
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ registries: { big: { slug: 'big', profiles } } }));
    expect((await runCli(['import', big, ...dbArgs])).code).toBe(0);
    for (const command of [`history --registry big --json`, `export --registry big --format json`]) {
      const piped = await runTracked('bash', ['-c', `"${process.execPath}" "${CLI_MAIN}" ${command} --profile-registry-db "${db}" | head -1; echo "status \${PIPESTATUS[0]}" >&2`]);
      expect(piped.stdout.split('\n').filter(Boolean), command).toHaveLength(1);
      expect(piped.stderr, command).toBe('status 141\n');
    }
  });

  it('has one overwrite rule: an existing file is replaced only with --force', async () => {
    const output = join(dir, 'existing.yaml');
    writeFileSync(output, 'keep me\n');
    for (const args of [
      ['export', '--output', output, ...dbArgs],
      ['migrate-legacy', '--input', join(dir, 'bundle.yaml'), '--output', output],
      ['backup', output, ...dbArgs],
    ]) {
      const refused = await runCli(args);
      expect(refused.code, args[0]).not.toBe(0);
      expect(refused.stderr, args[0]).toBe(`profile-registry: ${output} already exists (use --force to overwrite it)\n`);
      expect(readFileSync(output, 'utf8')).toBe('keep me\n');
    }
    const forced = await runCli(['export', '--output', output, '--force', ...dbArgs]);
    expect(forced.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('registries:');
  });

  it('names the registry that is not there, or was not yet', async () => {
    for (const args of [
      ['export', '--registry', 'nope'],
      ['history', '--registry', 'nope'],
      ['restore', '--registry', 'nope', '--to-version', '1', '--dry-run'],
    ]) {
      const result = await runCli([...args, ...dbArgs]);
      expect(result.stderr, args[0]).toBe('profile-registry: registry "nope" not found\n');
    }
    const past = imported - 60_000;
    const at = new Date(past).toISOString();
    for (const args of [
      ['export', '--registry', 'team', '--as-of', at],
      ['restore', '--registry', 'team', '--as-of', at, '--dry-run'],
    ]) {
      const result = await runCli([...args, ...dbArgs]);
      expect(result.stderr, args[0]).toBe(`profile-registry: registry "team" did not exist at ${at}\n`);
    }
  });
});
