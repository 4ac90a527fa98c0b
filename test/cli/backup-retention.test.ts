import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE } from '../support/cli-files.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

const compact = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const DAY_MS = 86_400_000;

describe('backup DIR --keep: retention tiers', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'profiles.db');
  const dbArgs = ['--profile-registry-db', db];
  let sample: string;
  beforeAll(async () => {
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    expect((await runCli(['import', join(dir, 'bundle.yaml'), ...dbArgs])).code).toBe(0);
    sample = join(dir, 'sample.db');
    expect((await runCli(['backup', sample, ...dbArgs])).code).toBe(0);
  });
  afterAll(() => remove());

  /** A folder of backups this tool made at the given UTC times (compact form), and files it did not make. */
  const folderWith = (name: string, times: string[]): string => {
    const folder = join(dir, name);
    mkdirSync(folder);
    for (const time of times) copyFileSync(sample, join(folder, `profiles-${time}.db`));
    writeFileSync(join(folder, 'notes.txt'), 'not a backup');
    copyFileSync(sample, join(folder, 'profiles-before-upgrade.db'));
    return folder;
  };
  const listing = (folder: string) => readdirSync(folder).sort();

  it('--dry-run lists what would go and changes nothing; the run then deletes exactly that, never what it did not make', async () => {
    const old = ['20250310T040000Z', '20250310T030000Z', '20250309T030000Z', '20250302T030000Z', '20250215T030000Z', '20241231T030000Z'];
    const folder = folderWith('tiers', old);
    const before = listing(folder);
    const goes = ['20250310T030000Z', '20250309T030000Z', '20250302T030000Z', '20250215T030000Z', '20241231T030000Z'].map((time) =>
      join(folder, `profiles-${time}.db`),
    );

    const dry = await runCli(['backup', folder, '--keep', 'daily=2,weekly=1,monthly=1', '--dry-run', ...dbArgs]);
    expect(dry.code, dry.stderr).toBe(0);
    const dryLines = dry.stdout.trim().split('\n');
    expect(dryLines[0]).toMatch(new RegExp(`^would back up ${db} to ${folder}/profiles-\\d{8}T\\d{6}Z\\.db$`));
    expect(dryLines.slice(1, -1)).toEqual(goes.map((path) => `would delete ${path}`));
    expect(dryLines.at(-1)).toBe('retention daily=2,weekly=1,monthly=1: would keep 2, would delete 5 (dry run: nothing written or deleted)');
    expect(listing(folder)).toEqual(before);

    const run = await runCli(['backup', folder, '--keep', 'daily=2,weekly=1,monthly=1', ...dbArgs]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const written = /^backed up .* to (.*) in \d+ ms$/.exec(lines[0])![1];
    expect(lines.slice(1)).toEqual([...goes.map((path) => `deleted ${path}`), 'retention daily=2,weekly=1,monthly=1: kept 2, deleted 5']);
    expect(listing(folder)).toEqual(
      [written.slice(folder.length + 1), 'notes.txt', 'profiles-20250310T040000Z.db', 'profiles-before-upgrade.db'].sort(),
    );
    const verify = await runCli(['verify', '--profile-registry-db', written]);
    expect(verify.stdout).toMatch(/^verify ok/);
  });

  it("accepts the ops notes' 7/14/30 form (days per tier)", async () => {
    const now = Date.now();
    const folder = folderWith('days', [compact(now - DAY_MS), compact(now - 40 * DAY_MS)]);
    const run = await runCli(['backup', folder, '--keep', '7/14/30', ...dbArgs]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`deleted ${join(folder, `profiles-${compact(now - 40 * DAY_MS)}.db`)}\n`);
    expect(run.stdout).toContain('retention daily=7d,weekly=14d,monthly=30d: kept 2, deleted 1\n');
    expect(listing(folder)).toContain(`profiles-${compact(now - DAY_MS)}.db`);
  });

  it('refuses, with one line and nothing written, a policy it cannot read, a file DEST, and --dry-run alone', async () => {
    const folder = folderWith('refusals', ['20250310T040000Z']);
    const before = listing(folder);
    const cases: [string[], string][] = [
      [[folder, '--keep', 'hourly=3'], `error: option '--keep <policy>' argument 'hourly=3' is invalid. --keep "hourly=3": cannot read "hourly=3"`],
      [[join(folder, 'one.db'), '--keep', 'daily=7'], `profile-registry: --keep prunes a folder of backups: ${join(folder, 'one.db')} is not a folder`],
      [[folder, '--dry-run'], 'profile-registry: --dry-run goes with --keep (a backup without it has nothing to list)'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['backup', ...args, ...dbArgs]);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toContain(message);
      expect(listing(folder)).toEqual(before);
    }
  });
});
