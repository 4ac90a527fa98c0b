import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openDatabase } from '../../src/events/open-database.js';
import { FAKE_KEY, fixturePath, readFixture } from '../support/fixtures.js';
import { readRegistryBundle } from '../support/registry-bundle.js';
import { folderContents, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

const BUNDLE = fixturePath('registry-bundle.yaml');
const REGISTRIES = Object.values(readRegistryBundle().registries);
const PROFILES = REGISTRIES.reduce((sum, registry) => sum + Object.keys(registry.profiles).length, 0);
const LEGACY_PROFILES = Object.keys(parseYaml(readFixture('legacy-profiles.yaml')));

const eventsOf = async (dbPath: string) => {
  const db = openDatabase({ path: dbPath });
  try {
    return await db.all<{ stream_id: string; type: string; metadata_json: string }>(
      'SELECT stream_id, type, metadata_json FROM events ORDER BY position',
    );
  } finally {
    await db.close();
  }
};

describe('profile-registry import / export', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(async () => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  const db = (name: string) => ['--profile-registry-db', join(dir, name)];
  const exportOf = async (name: string, ...flags: string[]) => {
    const run = await runCli(['export', ...db(name), ...flags]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  };

  it('round-trips: export, import into an empty store, export again gives identical bytes', async () => {
    const imported = await runCli(['import', BUNDLE, ...db('a.db')]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe('');
    // per registry: registry.created, one profile.created each, registry.default_profile_changed
    const events = PROFILES + 2 * REGISTRIES.length;
    expect(imported.stdout).toBe(
      `Input: ${BUNDLE}\nInput format: canonical-registries\nRegistries: ${REGISTRIES.length}\nProfiles: ${PROFILES}\nEvents: ${events}\n`,
    );
    const first = await exportOf('a.db');
    expect(Object.keys(parseYaml(first).registries)).toEqual(['default', 'research-lab']);
    writeFileSync(join(dir, 'export.yaml'), first);
    expect((await runCli(['import', join(dir, 'export.yaml'), ...db('b.db')])).code).toBe(0);
    expect(await exportOf('b.db')).toBe(first);

    const json = await exportOf('a.db', '--format', 'json');
    expect(JSON.parse(json)).toEqual(parseYaml(first));
    writeFileSync(join(dir, 'export.json'), json);
    expect((await runCli(['import', join(dir, 'export.json'), ...db('c.db')])).code).toBe(0);
    expect(await exportOf('c.db')).toBe(first);

    const stored = await eventsOf(join(dir, 'b.db'));
    expect(stored.every((event) => JSON.parse(event.metadata_json).source === 'import')).toBe(true);
    expect(new Set(stored.map((event) => event.stream_id))).toEqual(new Set(['default', 'research-lab']));
  }, 120_000); // CLI runs, slow on a loaded machine

  it('appends nothing when the same file is imported twice', async () => {
    expect((await runCli(['import', BUNDLE, ...db('a.db')])).code).toBe(0);
    const once = await eventsOf(join(dir, 'a.db'));
    const again = await runCli(['import', BUNDLE, ...db('a.db')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Events: 0\n');
    expect(await eventsOf(join(dir, 'a.db'))).toEqual(once);
  });

  it('imports a legacy profiles.yaml into registry default', async () => {
    const run = await runCli(['import', fixturePath('legacy-profiles.yaml'), ...db('a.db')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Input format: legacy-map\n');
    const bundle = parseYaml(await exportOf('a.db', '--registry', 'default'));
    expect(bundle.registries.default.default_profile_slug).toBe('default');
    expect(Object.keys(bundle.registries.default.profiles).sort()).toEqual([...LEGACY_PROFILES].sort());
    expect(bundle.registries.default.profiles.deterministic.runtime.step_settings_patch['ai-chat']['ai-temperature']).toBe(0);
  });

  it('refuses a bad file with one line and creates no database', async () => {
    const bad = join(dir, 'bad.yaml');
    const cases: Array<[string, string]> = [
      ['', 'input is empty: no registries or profiles'],
      [`default:\n  openai-chat:\n    openai-api-key: ${FAKE_KEY}\n   bad: [\n`, 'invalid YAML'],
      ['registries:\n  good: {profiles: {a: {}}}\n  team:\n    profiles:\n      p: {runtime: {tools: [" "]}}\n',
        'validation error (registries.team.profiles.p.runtime.tools[0]): must not be blank'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(bad, text);
      const run = await runCli(['import', bad, ...db('a.db')]);
      expect(run.code).toBe(1);
      expect(run.stderr.startsWith(`profile-registry: ${message}`)).toBe(true);
      expect(run.stderr.trimEnd()).not.toContain('\n');
      expect(run.stderr).not.toContain(FAKE_KEY);
      expect(Object.keys(folderContents(dir))).toEqual(['bad.yaml']);
    }
  });

  it('writes --output atomically, exports one --registry, and refuses an unknown one', async () => {
    await runCli(['import', BUNDLE, ...db('a.db')]);
    const output = join(dir, 'lab.yaml');
    expect((await runCli(['export', ...db('a.db'), '--registry', 'research-lab', '--output', output])).code).toBe(0);
    expect(Object.keys(parseYaml(readFileSync(output, 'utf8')).registries)).toEqual(['research-lab']);
    expect(Object.keys(folderContents(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const unknown = await runCli(['export', ...db('a.db'), '--registry', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('profile-registry: registry "nope" not found\n');
    const typo = await runCli(['export', ...db('typo.db')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(`profile-registry: no database at ${join(dir, 'typo.db')}\n`);
    expect(Object.keys(folderContents(dir))).not.toContain('typo.db');
  });

  it('exports the registries as they were at --as-of', async () => {
    const before = Date.now() - 1;
    await runCli(['import', fixturePath('legacy-profiles.yaml'), ...db('a.db')]);
    const firstExport = await exportOf('a.db');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, 'default: {ai-chat: {ai-engine: gpt-5}}\n');
    await runCli(['import', changed, ...db('a.db')]);
    expect(await exportOf('a.db')).not.toBe(firstExport);
    expect(await exportOf('a.db', '--as-of', String(between))).toBe(firstExport);
    expect(await exportOf('a.db', '--as-of', new Date(between).toISOString())).toBe(firstExport);
    expect(await exportOf('a.db', '--as-of', String(before))).toBe('registries: {}\n');
    const bad = await runCli(['export', ...db('a.db'), '--as-of', 'yesterday-ish']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("option '--as-of <time>' argument 'yesterday-ish' is invalid");
  }, 120_000); // eight CLI runs
});
