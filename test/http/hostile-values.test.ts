import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { expectProblem } from '../support/problem-assertions.js';
import { runCli } from '../support/run-cli.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

/** Sends `text` as a JSON body, byte for byte (inject's object payloads would go through JSON.stringify). */
const rawJson = (t: TestApp, method: 'POST' | 'PATCH' | 'PUT', url: string, body: string | Buffer) =>
  t.app.inject({ method, url, payload: body, headers: { 'content-type': 'application/json', 'x-actor': 'admin' } });

describeEachBackend('hostile values on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend);
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } });
    const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'base', policy: { allow_overrides: true } } });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(async () => t?.close());

  it('runs a catastrophic pattern on a linear-time engine: 10,001 characters are refused, not backtracked', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/chat/schemas/extensions/vendor.word@v1',
      payload: { schema: { type: 'string', pattern: '^(a+)+$' } },
    });
    expect(put.statusCode, put.body).toBe(201);
    // a backtracking engine needs ~2^10000 steps for this one; RE2 answers at once
    const hostile = await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { slug: 'hostile', extensions: { 'vendor.word@v1': `${'a'.repeat(10_000)}!` } },
    });
    const body = expectProblem(hostile, 400, 'validation error (extensions.vendor.word@v1): must match pattern "^(a+)+$"');
    expect(body.errors[0].path).toBe('/extensions/vendor.word@v1');
    const fine = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'fine', extensions: { 'vendor.word@v1': 'aaaa' } } });
    expect(fine.statusCode, fine.body).toBe(201);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  });

  it('refuses at PUT a pattern RE2 cannot run (backreference, lookahead), saying why, and stores nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    for (const [schema, path] of [
      [{ type: 'string', pattern: '^(a)\\1$' }, '/schema'],
      [{ type: 'object', patternProperties: { '^(?=x)': { type: 'string' } } }, '/schema'],
    ] as const) {
      const put = await t.app.inject({ method: 'PUT', url: '/api/chat/schemas/extensions/vendor.back@v1', payload: { schema } });
      const body = expectProblem(put, 400, /cannot run on a linear-time engine \(RE2: no backreferences, lookahead or lookbehind\)/);
      expect(body.errors[0].path).toBe(path);
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('refuses numbers that JSON.parse would not keep as written, naming their JSON pointer, and stores nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    const cases: [method: 'POST' | 'PATCH' | 'PUT', url: string, body: string, pointer: string, reason: RegExp][] = [
      ['POST', '/api/chat/profiles', '{"slug":"n1","extensions":{"x.big@v1":1e400}}', '/extensions/x.big@v1', /1e400 is beyond the range/],
      [
        'POST',
        '/api/chat/profiles',
        '{"slug":"n2","runtime":{"middlewares":[{"name":"m","config":{"limit":1e309}}]}}',
        '/runtime/middlewares/0/config/limit',
        /1e309 is beyond the range/,
      ],
      ['PATCH', '/api/chat/profiles/base', '{"extensions":{"x.id@v1":9007199254740993}}', '/extensions/x.id@v1', /would be rounded to 9007199254740992/],
      ['POST', '/api/chat/resolve', '{"profile":"base","overrides":{"step_settings_patch":{"t":-1e999}}}', '/overrides/step_settings_patch/t', /-1e999/],
      ['PUT', '/api/chat/schemas/extensions/x.max@v1', '{"schema":{"type":"number","maximum":1e309}}', '/schema/maximum', /1e309/],
      ['POST', '/api/chat/profiles/base/restore', '{"to_version":1e309}', '/to_version', /1e309/],
      ['POST', '/api/registries/default/import', '{"slug":"default","profiles":{"p":{"slug":"p","extensions":{"x.n@v1":[1,2,1e999]}}}}', '/profiles/p/extensions/x.n@v1/2', /1e999/],
    ];
    for (const [method, url, body, pointer, reason] of cases) {
      const response = await rawJson(t, method, url, body);
      const problem = expectProblem(response, 400, reason);
      expect(problem.detail, url).toContain(pointer);
      expect(problem.errors, url).toEqual([{ path: pointer, message: expect.stringMatching(reason) }]);
    }
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('keeps numbers that are exact as sent: 2^53 itself, and floats written as floats', async () => {
    const response = await rawJson(t, 'POST', '/api/chat/profiles', '{"slug":"exact","extensions":{"x.n@v1":{"a":9007199254740992,"b":1.5e300,"c":-0.25}}}');
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().extensions['x.n@v1']).toEqual({ a: 9007199254740992, b: 1.5e300, c: -0.25 });
  });

  it('refuses invalid UTF-8 naming the key or string that holds it, where a lenient decoder would store U+FFFD', async () => {
    const before = await storeSnapshot(t.store.db);
    const invalid = Buffer.concat([Buffer.from('{"slug":"utf","display_name":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expectProblem(await rawJson(t, 'POST', '/api/chat/profiles', invalid), 400, /^validation error \(\/display_name\): invalid UTF-8/);
    const inKey = Buffer.concat([Buffer.from('{"slug":"utf","extensions":{"x.'), Buffer.from([0xff]), Buffer.from('@v1":1}}')]);
    const problem = expectProblem(await rawJson(t, 'POST', '/api/chat/profiles', inKey), 400, /invalid UTF-8/);
    expect(problem.errors[0].path).toBe('/extensions/x.\ufffd@v1');
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    // a real U+FFFD, validly encoded, is text like any other
    const replacement = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'utf', display_name: 'caf\ufffd' } });
    expect(replacement.statusCode, replacement.body).toBe(201);
  });

  it('refuses the same values in import files with one line, and writes nothing', async () => {
    const { dir, remove } = tempDir();
    try {
      const files: [name: string, content: string | Buffer, line: RegExp][] = [
        ['big.yaml', 'default:\n  p:\n    extensions:\n      x.n@v1: 1e309\n', /\/default\/p\/extensions\/x\.n@v1\): the number Infinity cannot be stored as JSON/],
        ['round.yaml', 'slug: default\nprofiles:\n  p:\n    extensions:\n      x.n@v1: 9007199254740993\n', /\/profiles\/p\/extensions\/x\.n@v1.*would be rounded/],
        ['round.json', '{"slug":"default","profiles":{"p":{"extensions":{"x.n@v1":9007199254740993}}}}', /\/profiles\/p\/extensions\/x\.n@v1.*would be rounded/],
        ['bad.yaml', Buffer.concat([Buffer.from('slug: default\nprofiles:\n  p:\n    display_name: "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]), /not valid UTF-8 \(line 4/],
      ];
      const before = await storeSnapshot(t.store.db);
      for (const [name, content, line] of files) {
        const file = join(dir, name);
        writeFileSync(file, content);
        const run = await runCli(['import', file, ...t.cliDatabaseArgs]);
        expect(run.code, name).not.toBe(0);
        expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
        expect(run.stderr, name).toMatch(line);
      }
      expect(await storeSnapshot(t.store.db)).toEqual(before);
    } finally {
      remove();
    }
  });
});
