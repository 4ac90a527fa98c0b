import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FAKE_KEY, fixturePath, readFixture } from '../support/fixtures.js';
import { folderContents, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

const LEGACY_PROFILES = Object.keys(parseYaml(readFixture('legacy-profiles.yaml')));

describe('profile-registry migrate-legacy', () => {
  let dir: string;
  let remove: () => void;
  let input: string;
  beforeEach(async () => {
    ({ dir, remove } = tempDir());
    input = join(dir, 'profiles.yaml');
    copyFileSync(fixturePath('legacy-profiles.yaml'), input);
  });
  afterEach(() => remove());

  const write = (text: string): void => writeFileSync(input, text);

  it('writes <input>.registry.yaml with one registry of every legacy profile and prints what it did', async () => {
    const run = await runCli(['migrate-legacy', '--input', input]);
    expect(run.code).toBe(0);
    const output = `${input}.registry.yaml`;
    expect(run.stdout).toBe(
      `Input: ${input}\nInput format: legacy-map\nOutput: ${output}\nRegistries: 1\nProfiles: ${LEGACY_PROFILES.length}\n`,
    );
    const bundle = parseYaml(readFileSync(output, 'utf8'));
    const legacy = parseYaml(readFileSync(input, 'utf8'));
    expect(Object.keys(bundle.registries)).toEqual(['default']);
    expect(bundle.registries.default.default_profile_slug).toBe('default');
    for (const [slug, sections] of Object.entries(legacy)) {
      expect(bundle.registries.default.profiles[slug].runtime).toEqual({ step_settings_patch: sections });
    }
    expect(readFileSync(output, 'utf8')).toMatch(/^registries:\n {4}default:\n {8}slug: default\n/);
    expect(statSync(output).mode & 0o777).toBe(0o600);
    expect(run.stderr).toBe('');
  });

  it('takes --signing-keys-file like every command (one environment serves them all) and refuses a bad keys file with one line', async () => {
    const keysFile = join(dir, 'keys.yaml');
    writeFileSync(keysFile, 'keys:\n  - id: ops-2026\n    secret: a-long-enough-signing-secret\n', { mode: 0o600 });
    const run = await runCli(['migrate-legacy', '--input', input, '--signing-keys-file', keysFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(parseYaml(readFileSync(`${input}.registry.yaml`, 'utf8')).registries)).toEqual(['default']);
    const badKeys = join(dir, 'bad-keys.yaml');
    writeFileSync(badKeys, 'keys:\n  - id: short\n    secret: tiny\n');
    const bad = await runCli(['migrate-legacy', '--input', input, '--force', '--signing-keys-file', badKeys]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`profile-registry: signing keys file: keys.0.secret must be at least 16 characters (${badKeys})\n`);
  });

  // a legacy profile carries no policy: geppetto's zero policy, which refuses request overrides
  it('converts the map of the issue into registry default with default profile default', async () => {
    write('default: {ai-chat: {ai-engine: gpt-4o-mini}}\nagent: {ai-chat: {ai-engine: gpt-4.1}}\n');
    expect((await runCli(['migrate-legacy', '--input', input, '--output', join(dir, 'out.yaml')])).code).toBe(0);
    expect(parseYaml(readFileSync(join(dir, 'out.yaml'), 'utf8'))).toEqual({
      registries: {
        default: {
          slug: 'default',
          default_profile_slug: 'default',
          profiles: {
            agent: {
              slug: 'agent',
              runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4.1' } } },
              policy: { allow_overrides: false, read_only: false },
            },
            default: {
              slug: 'default',
              runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini' } } },
              policy: { allow_overrides: false, read_only: false },
            },
          },
        },
      },
    });
  });

  it('replaces the input in place after copying it to <input>.bak', async () => {
    const original = readFileSync(input, 'utf8');
    const run = await runCli(['migrate-legacy', '--input', input, '--in-place', '--registry', 'team']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Output: ${input}\n`);
    expect(run.stdout).toContain(`Backup: ${input}.bak\n`);
    expect(readFileSync(`${input}.bak`, 'utf8')).toBe(original);
    expect(Object.keys(parseYaml(readFileSync(input, 'utf8')).registries)).toEqual(['team']);
    expect(Object.keys(folderContents(dir)).sort()).toEqual(['profiles.yaml', 'profiles.yaml.bak']);
  });

  it('run in place again and again, keeps every earlier file as .bak, .bak.1, .bak.2: the original is never lost', async () => {
    const original = readFileSync(input, 'utf8');
    const states = [original];
    for (const expected of ['.bak', '.bak.1', '.bak.2']) {
      const run = await runCli(['migrate-legacy', '--input', input, '--in-place']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Backup: ${input}${expected}\n`);
      expect(readFileSync(`${input}${expected}`, 'utf8')).toBe(states.at(-1));
      states.push(readFileSync(input, 'utf8'));
    }
    expect(readFileSync(`${input}.bak`, 'utf8')).toBe(original);
    expect(Object.keys(folderContents(dir)).sort()).toEqual(['profiles.yaml', 'profiles.yaml.bak', 'profiles.yaml.bak.1', 'profiles.yaml.bak.2']);
  });

  it('makes no backup with --backup-in-place=false', async () => {
    const run = await runCli(['migrate-legacy', '--input', input, '--in-place', '--backup-in-place=false']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('Backup:');
    expect(Object.keys(folderContents(dir))).toEqual(['profiles.yaml']);
  });

  it('prints the bundle on a dry run and writes nothing', async () => {
    const before = folderContents(dir);
    const run = await runCli(['migrate-legacy', '--input', input, '--dry-run']);
    expect(run.code).toBe(0);
    expect(parseYaml(run.stdout).registries.default.profiles.deterministic.runtime.step_settings_patch['ai-chat']['ai-temperature']).toBe(0);
    // the preview shows "***" for the key; the converted file keeps it
    expect(run.stdout).not.toContain(FAKE_KEY);
    expect(run.stdout).toContain('"***"');
    expect(run.stderr).toContain(`Profiles: ${LEGACY_PROFILES.length}`);
    expect(folderContents(dir)).toEqual(before);
  });

  it('refuses to overwrite an existing output without --force, and overwrites with it', async () => {
    const output = join(dir, 'out.yaml');
    writeFileSync(output, 'keep me\n');
    const refused = await runCli(['migrate-legacy', '--input', input, '--output', output]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`profile-registry: ${output} already exists (use --force to overwrite it)\n`);
    expect(refused.stdout).toBe('');
    expect(readFileSync(output, 'utf8')).toBe('keep me\n');
    const forced = await runCli(['migrate-legacy', '--input', input, '--output', output, '--force']);
    expect(forced.code).toBe(0);
    expect(parseYaml(readFileSync(output, 'utf8')).registries.default.default_profile_slug).toBe('default');
  });

  it('skips a file that is not a legacy map with --skip-if-not-legacy', async () => {
    copyFileSync(fixturePath('registry-bundle.yaml'), input);
    const before = folderContents(dir);
    const run = await runCli(['migrate-legacy', '--input', input, '--skip-if-not-legacy']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Input: ${input}\nInput format: canonical-registries\nSkipped: input is not a legacy profile map\n`);
    expect(folderContents(dir)).toEqual(before);
  });

  it('rewrites a single registry file as a canonical bundle', async () => {
    write('slug: team\ndefault_profile_slug: a\nprofiles:\n  a: {runtime: {system_prompt: hi}}\n');
    const run = await runCli(['migrate-legacy', '--input', input]);
    expect(run.stdout).toContain('Input format: single-registry\n');
    expect(parseYaml(readFileSync(`${input}.registry.yaml`, 'utf8')).registries.team.profiles.a.runtime.system_prompt).toBe('hi');
  });

  it.each([
    ['an empty file', '', 'input is empty: no registries or profiles'],
    ['invalid YAML', `default:\n  openai-chat:\n    openai-api-key: ${FAKE_KEY}\n   bad: [\n`, /^invalid YAML: .+/],
    ['a bad slug key', 'default: {ai-chat: {}}\n"Not A Slug": {ai-chat: {}}\n', 'invalid legacy profile slug "Not A Slug"'],
    ['a non-map value', 'default: {ai-chat: {}}\nagent: gpt-4.1\n', 'legacy profile "agent" must map to section settings'],
  ])('refuses %s with one line, exit code 1, and writes nothing', async (_name, text, message) => {
    write(text);
    const before = folderContents(dir);
    for (const flags of [[], ['--in-place'], ['--dry-run']]) {
      const run = await runCli(['migrate-legacy', '--input', input, ...flags]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const line = run.stderr.replace(/^profile-registry: /, '').replace(/\n$/, '');
      expect(line).not.toContain('\n');
      if (typeof message === 'string') expect(line).toBe(message);
      else expect(line).toMatch(message);
      expect(run.stderr).not.toContain(FAKE_KEY);
      expect(folderContents(dir)).toEqual(before);
    }
  });

  it('refuses a missing input file and a bad registry slug', async () => {
    const missing = await runCli(['migrate-legacy', '--input', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`profile-registry: input file not found: ${join(dir, 'nope.yaml')}\n`);
    const badRegistry = await runCli(['migrate-legacy', '--input', input, '--registry', 'Not Valid!']);
    expect(badRegistry.code).toBe(1);
    expect(badRegistry.stderr).toBe('profile-registry: invalid registry\n');
    expect(Object.keys(folderContents(dir))).toEqual(['profiles.yaml']);
  });
});
