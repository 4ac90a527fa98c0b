import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, oneLine, pathState, runEach } from '../support/cli-files.js';
import { createTestSchema, PG_URL, postgresAvailable } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';
import { freePort } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

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

describe.runIf(postgresAvailable)('a PostgreSQL schema that is not a profile-registry database', () => {
  const { dir, remove } = tempDir();
  let empty: { schema: string; drop: () => Promise<void> };
  let foreign: { schema: string; drop: () => Promise<void> };
  const dsnOf = (schema: string) => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const tablesOf = async (schema: string): Promise<string[]> => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
      return rows.map((row: { table_name: string }) => row.table_name);
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    empty = await createTestSchema();
    foreign = await createTestSchema();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE TABLE "${foreign.schema}".users (id INT PRIMARY KEY, name TEXT)`);
    await client.end();
  });
  afterAll(async () => {
    await empty?.drop();
    await foreign?.drop();
    remove();
  });

  it('is no database for the commands that never create one when empty, and refused by every command when it holds other tables', async () => {
    const commands = [['verify'], ['export'], ['history', '--registry', 'team'], ['restore', '--registry', 'team', '--to-version', '1'], ['rebuild']];
    const onEmpty = await runEach(commands.map((args) => [...args, '--profile-registry-dsn', dsnOf(empty.schema)]));
    for (const [index, result] of onEmpty.entries()) {
      expect(result.code, commands[index]![0]).not.toBe(0);
      expect(result.stderr, commands[index]![0]).toMatch(/^profile-registry: no database at postgres:\/\/[^\n]*\n$/);
    }
    expect(await tablesOf(empty.schema)).toEqual([]);
    const onForeign = await runEach([...commands, ['import', join(dir, 'bundle.yaml')]].map((args) => [...args, '--profile-registry-dsn', dsnOf(foreign.schema)]));
    for (const result of onForeign) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^profile-registry: not a profile-registry database: postgres:\/\/[^\n]* \(it holds other tables: users\)\n$/);
    }
    expect(await tablesOf(foreign.schema)).toEqual(['users']);
  }, 120_000);
});
