import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, fileState, listing, oneLine } from '../support/cli-files.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

describe('backup never writes onto the live database', () => {
  const { dir, remove } = tempDir();
  const db = join(dir, 'data', 'profiles.db');
  const dbArgs = ['--profile-registry-db', db];

  beforeAll(async () => {
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    expect((await runCli(['import', join(dir, 'bundle.yaml'), ...dbArgs])).code).toBe(0);
    symlinkSync(db, join(dir, 'elsewhere', 'link.db'));
    symlinkSync(join(dir, 'data'), join(dir, 'data-link'));
    linkSync(db, join(dir, 'elsewhere', 'hard.db'));
    symlinkSync(`${db}-wal`, join(dir, 'elsewhere', 'wal-link'));
  });
  afterAll(() => remove());

  it.each([
    ['the database itself', () => db],
    ['its -wal', () => `${db}-wal`],
    ['its -shm', () => `${db}-shm`],
    ['a symbolic link to it', () => join(dir, 'elsewhere', 'link.db')],
    ['its path through a linked folder', () => join(dir, 'data-link', 'profiles.db')],
    ['a hard link to it', () => join(dir, 'elsewhere', 'hard.db')],
    ['a dangling link to its -wal', () => join(dir, 'elsewhere', 'wal-link')],
  ])('refuses %s as DEST, even with --force', async (_what, dest) => {
    const before = { db: fileState(db), data: listing(join(dir, 'data')), elsewhere: listing(join(dir, 'elsewhere')) };
    const result = await runCli(['backup', dest(), '--force', ...dbArgs]);
    expect(result.code).not.toBe(0);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(new RegExp(`^profile-registry: cannot back up to ${dest()}: it is the live database file ${db}`));
    expect({ db: fileState(db), data: listing(join(dir, 'data')), elsewhere: listing(join(dir, 'elsewhere')) }).toEqual(before);
    expect((await runCli(['verify', ...dbArgs])).code).toBe(0);
  });

  it('still backs up to another file', async () => {
    const result = await runCli(['backup', join(dir, 'elsewhere', 'copy.db'), ...dbArgs]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
