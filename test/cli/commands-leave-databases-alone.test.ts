import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, runCli, type CliResult } from '../support/run-cli.js';
import { freePort } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

/** A small bundle of two registries, one stacking on the other. */
const BUNDLE = `registries:
  base:
    slug: base
    default_profile_slug: plain
    profiles:
      plain:
        slug: plain
        runtime:
          system_prompt: You are plain
  team:
    slug: team
    display_name: Team
    profiles:
      alpha:
        slug: alpha
        description: first
        runtime:
          system_prompt: You are alpha
      stacked:
        slug: stacked
        stack:
          - registry_slug: base
            profile_slug: plain
`;

interface FileState {
  sha256: string;
  mode: number;
  mtimeMs: number;
}

const fileState = (path: string): FileState => {
  const stat = statSync(path);
  return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mode: stat.mode & 0o777, mtimeMs: stat.mtimeMs };
};

/** What a path is, byte for byte (a folder: its listing). */
const pathState = (path: string): unknown =>
  statSync(path).isDirectory() ? { listing: readdirSync(path).sort() } : fileState(path);

/** A folder's names, without the -wal and -shm that SQLite itself may leave beside a WAL database (as `sqlite3 -readonly` does). */
const listing = (dir: string): string[] => readdirSync(dir).filter((name) => !/-(wal|shm)$/.test(name)).sort();

/** Runs the CLI with each argument list, a few at a time (the machine is shared), results in order. */
const runEach = async (argLists: string[][], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliResult[]> => {
  const results: CliResult[] = [];
  for (let i = 0; i < argLists.length; i += 3) {
    results.push(...(await Promise.all(argLists.slice(i, i + 3).map((args) => runCli(args, env, options)))));
  }
  return results;
};

const oneLine = (stderr: string): void => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trim().split('\n')).toHaveLength(1);
};

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

describe('a file that is not a profile-registry database is refused by every command, and stays as it was', () => {
  const { dir, remove } = tempDir();
  const input = join(dir, 'input', 'bundle.yaml');
  let port: number;

  const targets: Record<string, string> = {};
  beforeAll(async () => {
    mkdirSync(join(dir, 'input'));
    writeFileSync(input, BUNDLE);
    const place = (name: string) => {
      mkdirSync(join(dir, name));
      return join(dir, name, 'profiles.db');
    };
    targets['an empty file'] = place('empty');
    writeFileSync(targets['an empty file']!, '');
    targets['a text file'] = place('text');
    writeFileSync(targets['a text file']!, 'slug: not a database\n');
    targets['a directory'] = place('directory');
    mkdirSync(targets['a directory']!);
    writeFileSync(join(targets['a directory']!, 'keep.txt'), 'keep');
    targets["another application's SQLite database"] = place('foreign');
    const foreign = new Database(targets["another application's SQLite database"]!);
    foreign.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
    foreign.close();
    targets['a SQLite file without tables'] = place('blank');
    const blank = new Database(targets['a SQLite file without tables']!);
    blank.pragma('user_version = 7'); // writes the header
    blank.close();
    for (const path of Object.values(targets)) chmodSync(path, 0o644);
    port = await freePort();
  });
  afterAll(() => remove());

  const commands = (): string[][] => [
    ['verify'],
    ['export'],
    ['history', '--registry', 'team'],
    ['restore', '--registry', 'team', '--to-version', '1', '--dry-run'],
    ['restore', '--registry', 'team', '--to-version', '1'],
    ['rebuild'],
    ['backup', join(dir, 'backup-out.db')],
    ['import', input],
    ['serve', '--port', String(port), '--log-level', 'silent'],
  ];

  it.each(['an empty file', 'a text file', 'a directory', "another application's SQLite database", 'a SQLite file without tables'])(
    '%s',
    async (what) => {
      const path = targets[what]!;
      const folder = join(path, '..');
      const before = { path: pathState(path), folder: readdirSync(folder).sort() };
      // every command on the two likeliest mistakes, the main ones on the others
      const everyCommand = what === 'an empty file' || what === "another application's SQLite database";
      const some = everyCommand ? commands() : commands().filter(([name]) => ['verify', 'import', 'serve'].includes(name!));
      const results = await runEach(some.map((args) => [...args, '--profile-registry-db', path]));
      for (const [index, result] of results.entries()) {
        const name = some[index]![0];
        expect(result.code, `${name}: ${result.stderr}`).not.toBe(0);
        oneLine(result.stderr);
        expect(result.stderr, name).toMatch(new RegExp(`^profile-registry: not a profile-registry database: ${path} \\(.+\\)\\n$`));
      }
      expect({ path: pathState(path), folder: readdirSync(folder).sort() }).toEqual(before);
      expect(existsSync(join(dir, 'backup-out.db'))).toBe(false);
    },
    120_000,
  );

  it('only serve and import create a database, where none exists; the others say there is none', async () => {
    const missing = join(dir, 'nothing', 'profiles.db');
    const others = commands().filter(([name]) => name !== 'serve' && name !== 'import');
    const results = await runEach(others.map((args) => [...args, '--profile-registry-db', missing]));
    for (const [index, result] of results.entries()) {
      expect(result.code, others[index]![0]).not.toBe(0);
      expect(result.stderr, others[index]![0]).toBe(`profile-registry: no database at ${missing}\n`);
    }
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
    const imported = await runCli(['import', input, '--profile-registry-db', missing]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect((await runCli(['verify', '--profile-registry-db', missing])).code).toBe(0);
  }, 120_000);
});

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

describe('a DSN of another database is refused, never taken as a file name', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());

  it('by serve and every command, from the flag or the environment', async () => {
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    const commands = [
      ['serve', '--port', '0'],
      ['verify'],
      ['export'],
      ['history', '--registry', 'default'],
      ['restore', '--registry', 'default', '--to-version', '1', '--dry-run'],
      ['rebuild'],
      ['backup', 'copy.db'],
      ['import', 'bundle.yaml'],
    ];
    const results = await runEach(
      commands.map((args) => [...args, '--profile-registry-dsn', 'mysql://user:secret@db.example:3306/profiles']),
      {},
      { cwd: dir },
    );
    for (const [index, result] of results.entries()) {
      expect(result.code, commands[index]![0]).not.toBe(0);
      expect(result.stderr, commands[index]![0]).toBe('profile-registry: unsupported DSN scheme "mysql"\n');
    }
    const fromEnv = await runEach([['serve', '--port', '0'], ['verify']], { PROFILE_REGISTRY_DB: 'sqlserver://db.example' }, { cwd: dir });
    for (const result of fromEnv) expect(result.stderr).toBe('profile-registry: unsupported DSN scheme "sqlserver"\n');
    expect(readdirSync(dir)).toEqual(['bundle.yaml']);
  }, 180_000);
});

describe('serve on a port in use', () => {
  const { dir, remove } = tempDir();
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    remove();
  });

  it('fails with one line before it creates or seeds a database', async () => {
    const db = join(dir, 'data', 'profiles.db');
    const result = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--profile-registry-db', db]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(`profile-registry: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

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
    expect(verify.stdout).toMatch(/verify \[[^\]]*\] \d+\/\d+ events \(hash chains\)/);
    expect(verify.stdout).toMatch(/verify \[[^\]]*\] \d+\/\d+ events \(projections\)/);
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
