import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp, buildTestApp } from '../support/test-store.js';

/**
 * Operators read the database with the `sqlite3` of their distribution, which can be as old as
 * the floor the README states (3.37): the system binary must open what the server wrote.
 * `.ci/run` installs Debian's `sqlite3`; without the binary these tests fail, never skip.
 */
const SQLITE3 = process.env.SQLITE3_BIN || 'sqlite3';

interface Sqlite3Result {
  code: number;
  stdout: string;
  stderr: string;
}

const sqlite3 = (args: string[]): Promise<Sqlite3Result> =>
  new Promise((resolve) => {
    execFile(SQLITE3, args, { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr: error && code === -1 ? `${SQLITE3}: ${error.message}` : stderr });
    });
  });

/** Splits a shell command line the way sh would for the quoting the docs use ('...', "...", plain words). */
const shellWords = (line: string): string[] => {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end === -1) throw new Error(`unclosed quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break; // a comment after the command
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
};

/** Every `sqlite3 ...` command of a Markdown file: lines of code blocks and inline code spans. */
const sqlite3CommandsOf = (file: string): string[] => {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const fromBlocks = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((block) =>
    block[1]!.split('\n').filter((line) => /^\s*sqlite3\s/.test(line)),
  );
  const outsideBlocks = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  const fromSpans = [...outsideBlocks.matchAll(/`(sqlite3\s[^`]+)`/g)].map((span) => span[1]!);
  return [...fromBlocks, ...fromSpans].map((line) => line.trim());
};

/** The command's arguments with its database file (the first argument that is no option) replaced. */
const argumentsFor = (command: string, dbPath: string): string[] => {
  const [, ...args] = shellWords(command);
  const file = args.findIndex((arg) => !arg.startsWith('-'));
  if (file === -1) throw new Error(`no database file in: ${command}`);
  return args.map((arg, index) => (index === file ? dbPath : arg));
};

/** SQL that SQLite 3.37 does not know (later functions and operators), as it could appear in a schema. */
const NEWER_THAN_FLOOR: Array<[RegExp, string]> = [
  [/group_concat\s*\((?:(?!\bSELECT\b)[^;])*?\bORDER\s+BY/i, 'group_concat(... ORDER BY ...) (3.44)'],
  [/\bstring_agg\s*\(/i, 'string_agg (3.44)'],
  [/\bconcat(_ws)?\s*\(/i, 'concat / concat_ws (3.44)'],
  [/->>?/, 'the -> and ->> operators (3.38)'],
  [/\b(unixepoch|format|octet_length|timediff)\s*\(/i, 'a date or string function of 3.38 or later'],
  [/\bjsonb_?\w*\s*\(|\bjson_pretty\s*\(/i, 'JSONB / json_pretty (3.45, 3.46)'],
];

describe('the system sqlite3 on a database the server wrote', () => {
  let t: TestApp;
  let dbPath: string;

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    dbPath = t.dbPath!;
    const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const response = await t.app.inject({ method, url, payload });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    await write('POST', '/api/registries', { slug: 'default' });
    await write('POST', '/api/chat/profiles', { slug: 'default', runtime: { system_prompt: 'You are an assistant' } });
    await write('POST', '/api/registries', { slug: 'team', display_name: 'Équipe ✨' });
    // inserted out of slug order, with text that is not ASCII: the view must order and keep bytes
    for (const slug of ['zeta', 'alpha', 'mid.dle', 'b-2', 'b_1']) {
      await write('POST', '/api/chat/profiles', {
        registry: 'team',
        slug,
        description: `профиль ${slug} — "quoted" \\ back`,
        runtime: { system_prompt: `Tu es ${slug} 🦆`, tools: ['search'] },
      });
    }
    await write('PATCH', '/api/chat/profiles/alpha?registry=team', { description: 'edited' });
    await write('DELETE', '/api/chat/profiles/b-2?registry=team');
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'stacked', stack: [{ profile_slug: 'alpha' }] });
    await write('POST', '/api/registries', { slug: 'empty' });
  });
  afterAll(async () => t?.close());

  it('is there (CI installs it)', async () => {
    const version = await sqlite3(['-version']);
    expect(version.stderr).toBe('');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^3\.\d+/);
  });

  it('lists the tables and finds the database intact', async () => {
    const tables = await sqlite3([dbPath, '.tables']);
    expect(tables.stderr).toBe('');
    expect(tables.code).toBe(0);
    for (const name of ['events', 'streams', 'profile_registries', 'registry_headers', 'profile_documents']) {
      expect(tables.stdout.split(/\s+/)).toContain(name);
    }
    const check = await sqlite3(['-readonly', dbPath, 'PRAGMA integrity_check;']);
    expect(check).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('runs every sqlite3 command of README.md and docs/OPERATIONS.md', async () => {
    const commands = [...sqlite3CommandsOf('README.md'), ...sqlite3CommandsOf('docs/OPERATIONS.md')];
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      const result = await sqlite3(argumentsFor(command, dbPath));
      expect({ command, stderr: result.stderr, code: result.code }).toEqual({ command, stderr: '', code: 0 });
      expect(result.stdout, command).not.toBe('');
    }
  });

  it('reads payload_json byte for byte as GET /api/registries/{registry} serves it', async () => {
    for (const registry of ['default', 'team', 'empty']) {
      const served = await t.app.inject({ method: 'GET', url: `/api/registries/${registry}` });
      expect(served.statusCode).toBe(200);
      // -ascii (no quoting, no separators beyond the row separator) prints the text as it is stored
      const result = await sqlite3(['-readonly', '-ascii', dbPath, `SELECT payload_json FROM profile_registries WHERE slug = '${registry}'`]);
      expect(result.stderr).toBe('');
      expect(result.stdout.replace(/\x1e$/, '')).toBe(served.body);
    }
    const team = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/registries/team' })).body);
    expect(Object.keys(team.profiles)).toEqual(['alpha', 'b_1', 'mid.dle', 'stacked', 'zeta']);
  });

  it('has nothing in its schema that needs a newer SQLite than 3.37', async () => {
    const schema = await sqlite3(['-readonly', dbPath, '.schema']);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toContain('CREATE VIEW');
    for (const [pattern, what] of NEWER_THAN_FLOOR) expect(schema.stdout, what).not.toMatch(pattern);
  });

  it('opens a database whose view an earlier release wrote, once the server has started on it', async () => {
    const served = (await t.app.inject({ method: 'GET', url: '/api/registries/team' })).body;
    await t.store.db.exec(`DROP VIEW profile_registries;
CREATE VIEW profile_registries AS
SELECT r.slug AS slug, r.payload_text AS payload_json, r.updated_at_ms AS updated_at_ms, r.version AS version,
  r.payload_text AS payload_text
FROM (SELECT h.slug AS slug, substr(h.header_json, 1, length(h.header_json) - 1) || ',"profiles":{' ||
    coalesce((SELECT group_concat(json_quote(d.slug) || ':' || d.stored_json, ',' ORDER BY d.slug)
      FROM profile_documents d WHERE d.registry = h.slug), '') ||
    '},"metadata":' || h.metadata_json || '}' AS payload_text, h.updated_at_ms AS updated_at_ms, h.version AS version
      FROM registry_headers h) r;`);
    const old = await sqlite3(['-readonly', dbPath, 'PRAGMA integrity_check;']);
    const sqlite3Version = (await sqlite3(['-version'])).stdout;
    if (/^3\.(3\d|4[0-3])\./.test(sqlite3Version)) expect(old.stderr).toMatch(/malformed database schema/);

    const reopened = await t.reopen();
    const app = await buildTestApp({ store: reopened });
    try {
      const check = await sqlite3(['-readonly', dbPath, 'PRAGMA integrity_check;']);
      expect(check).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
      expect((await app.inject({ method: 'GET', url: '/api/registries/team' })).body).toBe(served);
      const result = await sqlite3(['-readonly', '-ascii', dbPath, "SELECT payload_json FROM profile_registries WHERE slug = 'team'"]);
      expect(result.stdout.replace(/\x1e$/, '')).toBe(served);
    } finally {
      await app.close();
    }
  });
});
