import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holder, TestTokens } from '../../support/auth-tokens.js';
import { postgresAvailable } from '../../support/postgres.js';
import { storeFingerprint } from '../../support/store-fingerprint.js';
import type { Backend } from '../../support/test-store.js';
import { openGuardedApp, type GuardedApp } from '../../support/guarded-app.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];
const RUNS: Record<Backend, number> = { sqlite: Number(process.env.FUZZ_RUNS ?? 150), postgres: Number(process.env.FUZZ_RUNS ?? 80) };

const ROUTES: [string, string][] = [
  ['GET', '/api/chat/profiles'],
  ['POST', '/api/chat/profiles'],
  ['GET', '/api/chat/profiles/{slug}'],
  ['PATCH', '/api/chat/profiles/{slug}'],
  ['DELETE', '/api/chat/profiles/{slug}'],
  ['POST', '/api/chat/profiles/{slug}/default'],
  ['GET', '/api/chat/profiles/{slug}/history'],
  ['GET', '/api/chat/profiles/{slug}/diff'],
  ['POST', '/api/chat/profiles/{slug}/restore'],
  ['GET', '/api/chat/profile'],
  ['POST', '/api/chat/profile'],
  ['GET', '/api/registries'],
  ['POST', '/api/registries'],
  ['GET', '/api/registries/{registry}'],
  ['PATCH', '/api/registries/{registry}'],
  ['DELETE', '/api/registries/{registry}'],
  ['GET', '/api/registries/{registry}/events'],
  ['POST', '/api/registries/{registry}/restore'],
  ['POST', '/api/registries/{registry}/import'],
  ['GET', '/api/registries/{registry}/export'],
  ['GET', '/api/chat/resolve'],
  ['POST', '/api/chat/resolve'],
  ['GET', '/api/chat/resolve/{slug}'],
  ['POST', '/api/chat/resolve/{slug}'],
  ['GET', '/api/watch'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['PUT', '/api/chat/profiles/{slug}'],
];

const NASTY = [
  '',
  ' ',
  'default',
  'team',
  'base',
  'nope',
  ' Base ',
  '__proto__',
  'constructor',
  "a'b",
  "' OR '1'='1",
  '"; DROP TABLE events; --',
  '%',
  '_',
  '..',
  'a/b',
  '\u0000',
  'a\ud800',
  '\udc00',
  '-1',
  '1.5',
  '0',
  '1',
  '2',
  '18446744073709551616',
  '9223372036854775807',
  '9007199254740993',
  '1e400',
  'NaN',
  'secrets',
  '{"slug":"base"}',
  '[]',
  'x'.repeat(300),
];

const text = fc.oneof(fc.constantFrom(...NASTY), fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/));
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1, 1.5, 2 ** 53, 2 ** 64, Number.MAX_SAFE_INTEGER, 9223372036854775807),
  text,
);

/** Percent-encodes what encodeURIComponent can, and lone surrogates as their (invalid) UTF-8 bytes. */
const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^\w%.-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
};

const QUERY_KEYS = ['registry', 'version', 'as_of', 'after', 'limit', 'expected_version', 'from', 'to', 'before_version', 'profile', 'runtime', 'contains', 'reveal'];
const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(text, number.map(String))), { maxLength: 4 });

const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const body = fc.oneof(
  fc.record(
    {
      slug: text,
      registry: text,
      profile: text,
      display_name: text,
      description: text,
      default_profile_slug: text,
      runtime: fc.oneof(
        fc.jsonValue(),
        fc.record({ system_prompt: text, tools: fc.array(text), step_settings_patch: fc.dictionary(text, fc.dictionary(text, fc.jsonValue())) }, { requiredKeys: [] }),
      ),
      policy: fc.jsonValue(),
      extensions: fc.dictionary(fc.oneof(text, fc.constant('vendor.x@v1')), fc.jsonValue()),
      stack: fc.array(fc.record({ profile_slug: text, registry_slug: text }, { requiredKeys: [] })),
      metadata: fc.jsonValue(),
      overrides: fc.jsonValue(),
      expected_version: number,
      to_version: number,
      as_of: number,
      dry_run: fc.boolean(),
      set_default: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ).map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom('{', '[', 'null', '"x"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', nested(120), 'slug: base\nprofiles: {}\n', '\u0000'),
);

const headerText = fc.oneof(fc.constantFrom(...NASTY.filter((value) => !/[^\x20-\x7e]/.test(value))), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) }));
const headers = fc.record(
  {
    'if-match': fc.oneof(headerText, fc.constantFrom('*', '"1-0000000000000000"', 'W/"1"')),
    'if-none-match': headerText,
    cookie: fc.oneof(headerText.map((value) => `chat_profile=${value}`), headerText),
    'idempotency-key': fc.oneof(headerText, fc.constant('k'.repeat(300))),
    'x-actor': headerText,
    'last-event-id': fc.oneof(headerText, number.map(String).filter((value) => !/[^\x20-\x7e]/.test(value))),
    'x-request-id': headerText,
  },
  { requiredKeys: [] },
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/yaml', 'application/x-www-form-urlencoded', undefined);
const holder = fc.constantFrom<Holder | 'none' | 'garbage'>('admin', 'admin', 'admin', 'editor', 'reader', 'runtime', 'limited', 'none', 'garbage');

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  slug: text,
  registry: fc.oneof(fc.constantFrom('default', 'team'), text),
  query,
  body: fc.option(body, { nil: undefined }),
  contentType,
  headers,
  holder,
});

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms))]);

describe.each(backends)('random requests to every route on %s', (backend) => {
  let t: GuardedApp;
  let tokens: TestTokens;
  beforeAll(async () => {
    t = await openGuardedApp(backend);
    tokens = t.tokens;
    const admin = { ...tokens.bearer('admin'), 'content-type': 'application/json' };
    for (const registry of ['default', 'team']) {
      await t.app.inject({ method: 'POST', url: '/api/registries', headers: admin, payload: { slug: registry } });
      await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: admin, payload: { registry, slug: 'base', runtime: { system_prompt: 'p' } } });
    }
  });
  afterAll(() => t?.close());

  it('never answers 5xx nor hangs, answers every error as problem+json, and leaves the store unchanged after a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (sample) => {
        const [method, template] = sample.route;
        const path = template.replace('{slug}', encode(sample.slug)).replace('{registry}', encode(sample.registry));
        const params = sample.query.map(([key, value]) => `${key}=${encode(value)}`);
        const sent: Record<string, string> = { ...sample.headers };
        if (template === '/api/watch') {
          // the stream never ends by design: ask for the long poll, without waiting
          sent.accept = 'application/json';
          params.push('wait=0');
        }
        if (sample.contentType !== undefined && sample.body !== undefined) sent['content-type'] = sample.contentType;
        if (sample.holder === 'garbage') sent.authorization = 'Bearer prt_garbage';
        else if (sample.holder !== 'none') Object.assign(sent, tokens.bearer(sample.holder));
        const url = params.length > 0 ? `${path}?${params.join('&')}` : path;
        const before = await storeFingerprint(t.store.db);
        const response = await withTimeout(
          t.app.inject({ method: method as 'GET', url, headers: sent, payload: sample.body }),
          10_000,
          `${method} ${url}`,
        );
        const label = `${method} ${url} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
        expect(response.statusCode, label).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(response.headers['content-type'], label).toContain('application/problem+json');
          expect(JSON.parse(response.body), label).toMatchObject({ status: response.statusCode, detail: expect.any(String) });
          expect(await storeFingerprint(t.store.db), label).toBe(before);
        }
      }),
      { numRuns: RUNS[backend], seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 180_000);
});
