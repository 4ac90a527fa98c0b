import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.js';
import { rebuildProjections } from '../../../src/projections/rebuild.js';
import type { Holder, TestTokens } from '../../support/auth-tokens.js';
import { describeEachBackend } from '../../support/backends.js';
import { recordMadeSecret } from '../../support/transcript.js';
import { expectProblem } from '../../support/problem-assertions.js';
import { storeSnapshot } from '../../support/store-snapshot.js';
import { openTestStore } from '../../support/test-store.js';
import { openGuardedApp, type GuardedApp } from '../../support/guarded-app.js';

// every value below matches the suite's secret pattern (transcript.ts): a leak anywhere fails the run
const KEY = 'sk-test-attack-key-0001';
const BEARER = 'sk-test-attack-bearer-0002';
const DSN_PASSWORD = 'pw-test-secret-dsn-0003';
const COOKIE = 'sid-test-secret-cookie-0004';
const CREDENTIALS = 'cred-test-secret-0005';
const AUTH = 'auth-test-secret-0006';
const BEARER_NAME = 'bearer-test-secret-0007';
const PLAIN_KEY = 'k-test-secret-0008';
const BASIC = 'basic-test-secret-0009';
const SECRETS = [KEY, BEARER, DSN_PASSWORD, COOKIE, CREDENTIALS, AUTH, BEARER_NAME, PLAIN_KEY, BASIC];

const runtime = {
  system_prompt: 'You chat',
  step_settings_patch: {
    'ai-chat': { 'ai-engine': 'gpt-4o', 'ai-max-response-tokens': 512 },
    'openai-chat': { 'openai-api-key': KEY, 'openai-base-url': 'https://api.openai.com/v1' },
    http: {
      headers: { Authorization: `Bearer ${BEARER}`, 'X-Forward': `Basic ${BASIC}`, Accept: 'application/json' },
      key: PLAIN_KEY,
      credentials: { user: 'app', pass: CREDENTIALS },
      cookie: COOKIE,
    },
  },
  middlewares: [
    { name: 'store', id: 's', config: { dsn: `postgres://app:${DSN_PASSWORD}@db.internal:5432/chat`, auth: AUTH, bearer: BEARER_NAME, pool: 4 } },
  ],
};

describeEachBackend('a secret stays secret to those who try on %s', (backend) => {
  let t: GuardedApp;
  let tokens: TestTokens;
  const logs: string[] = [];
  const shown: string[] = [];

  const call = (holder: Holder, method: string, url: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      payload: payload as string,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...tokens.bearer(holder) },
    });
  const seen = async (holder: Holder, method: string, url: string, payload?: unknown) => {
    const response = await call(holder, method, url, payload);
    shown.push(response.body);
    return response;
  };

  beforeAll(async () => {
    t = await openGuardedApp(backend, { logLevel: 'debug', logStream: { write: (line) => void logs.push(line) } });
    tokens = t.tokens;
    const key = await t.store.db.get<{ key_hex: string }>('SELECT key_hex FROM fingerprint_key WHERE id = 1');
    recordMadeSecret(`fingerprint key of the ${backend} store`, key?.key_hex as string);
    expect((await seen('admin', 'POST', '/api/registries', { slug: 'default' })).statusCode).toBe(201);
    expect((await seen('editor', 'POST', '/api/chat/profiles', { slug: 'chat', runtime })).statusCode).toBe(201);
  });
  afterAll(() => t?.close());

  it('shows a reader every credential as "***": header values, key, credentials, auth, bearer, cookie, and a DSN without its password', async () => {
    const doc = (await seen('reader', 'GET', '/api/chat/profiles/chat')).json();
    expect(doc.runtime.step_settings_patch.http).toEqual({
      headers: { Authorization: '***', 'X-Forward': '***', Accept: 'application/json' },
      key: '***',
      credentials: '***',
      cookie: '***',
    });
    expect(doc.runtime.step_settings_patch['openai-chat']).toEqual({ 'openai-api-key': '***', 'openai-base-url': 'https://api.openai.com/v1' });
    expect(doc.runtime.step_settings_patch['ai-chat']).toEqual({ 'ai-engine': 'gpt-4o', 'ai-max-response-tokens': 512 });
    expect(doc.runtime.middlewares[0].config).toEqual({ dsn: 'postgres://app:***@db.internal:5432/chat', auth: '***', bearer: '***', pool: 4 });
    for (const url of [
      '/api/chat/profiles',
      '/api/chat/profiles/chat?version=1',
      '/api/registries/default',
      '/api/registries/default/events',
      '/api/chat/profiles/chat/history',
      '/api/registries/default/export',
      '/api/chat/resolve/chat',
    ]) {
      expect((await seen('reader', 'GET', url)).statusCode, url).toBe(200);
    }
    // a guess tried through a containment query is refused like any query on a secret
    const guess = encodeURIComponent(JSON.stringify({ runtime: { step_settings_patch: { http: { headers: { Authorization: 'Bearer sk-test-guess' } } } } }));
    expect((await seen('reader', 'GET', `/api/chat/profiles?contains=${guess}`)).statusCode).toBe(403);
    const asRuntime = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json();
    expect(asRuntime.runtime.step_settings_patch.http.headers.Authorization).toBe(`Bearer ${BEARER}`);
    expect(asRuntime.runtime.middlewares[0].config.dsn).toContain(DSN_PASSWORD);
  });

  it('refuses an editor who sends a key back as "***" beside a base URL of their own (422), and changes nothing', async () => {
    const read = (await seen('editor', 'GET', '/api/chat/profiles/chat')).json();
    const before = await storeSnapshot(t.store.db);
    const steered = structuredClone(read.runtime);
    steered.step_settings_patch['openai-chat']['openai-base-url'] = 'https://attacker.example/v1';
    const refused = expectProblem(await seen('editor', 'PATCH', '/api/chat/profiles/chat', { runtime: steered }), 422, /openai-api-key/);
    expect(refused.errors).toEqual([
      { path: '/runtime/step_settings_patch/openai-chat/openai-api-key', message: expect.stringContaining('another value of its object changed') },
    ]);
    // the same through a DSN whose host is moved, and through a copy into a new profile
    const moved = structuredClone(read.runtime);
    moved.middlewares[0].config.dsn = 'postgres://app:***@attacker.example:5432/chat';
    expectProblem(await seen('editor', 'PATCH', '/api/chat/profiles/chat', { runtime: moved }), 422, /middlewares\/0\/config\/dsn/);
    expectProblem(await seen('editor', 'POST', '/api/chat/profiles', { slug: 'copy', runtime: read.runtime }), 422, /re-enter the secrets/);
    const bundle = { slug: 'default', profiles: { chat: { slug: 'chat', runtime: steered } } };
    expectProblem(await seen('admin', 'POST', '/api/registries/default/import', bundle), 422, /registries\/default\/profiles\/chat\/runtime\/step_settings_patch\/openai-chat\/openai-api-key/);
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    const asRuntime = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json();
    expect(asRuntime.runtime.step_settings_patch['openai-chat']).toEqual({ 'openai-api-key': KEY, 'openai-base-url': 'https://api.openai.com/v1' });

    // what a round trip is for still works: the masks kept, a prompt changed beside them
    const roundTrip = await seen('editor', 'PATCH', '/api/chat/profiles/chat', { runtime: { ...read.runtime, system_prompt: 'You chat well' } });
    expect(roundTrip.statusCode, roundTrip.body).toBe(200);
    const after = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json().runtime;
    expect(after.step_settings_patch).toEqual(runtime.step_settings_patch);
    expect(after.middlewares[0].config.dsn).toBe(runtime.middlewares[0].config.dsn);
  });

  it('gives fingerprints and ETags that no offline guess can be tested against', async () => {
    const doc = (await seen('reader', 'GET', '/api/chat/profiles/chat')).json();
    const resolved = (await call('runtime', 'GET', '/api/chat/resolve/chat')).json();
    const real = resolved.runtime;
    expect(resolved.fingerprint).toBe(doc.fingerprint);
    const plain = `sha256:${createHash('sha256').update(canonicalJson({ registry_slug: 'default', profile_slug: 'chat', runtime: real })).digest('hex')}`;
    expect(doc.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.fingerprint).not.toBe(plain);
    const etag = (await seen('reader', 'GET', '/api/chat/profiles/chat')).headers.etag as string;
    expect(etag).toMatch(/^"\d+-[0-9a-f]{16}"$/);

    // the same content in another store: another key, another fingerprint
    const other = await openTestStore(backend);
    try {
      const context = { actor: 't', source: 'test', request_id: 'r' };
      await other.store.execute({ type: 'create_registry', registry: 'default' }, context);
      const created = await other.store.execute({ type: 'create_profile', registry: 'default', slug: 'chat', fields: { runtime: structuredClone(real) } }, context);
      const fingerprint = created.rendered.document?.fingerprint;
      expect(fingerprint).toMatch(/^sha256:/);
      expect(fingerprint).not.toBe(doc.fingerprint);
    } finally {
      await other.close();
    }

    // within the store the key stays: a restart, a second instance and a rebuild give the same digests
    const again = await t.reopen();
    const row = async (db = t.store.db) =>
      db.get<{ fingerprint: string; etag: string }>("SELECT fingerprint, etag FROM profile_documents WHERE registry = 'default' AND slug = 'chat'");
    expect(await row(again.db)).toEqual({ fingerprint: doc.fingerprint, etag });
    await rebuildProjections(t.store.db);
    expect(await row()).toEqual({ fingerprint: doc.fingerprint, etag });
    const history = (await seen('reader', 'GET', '/api/chat/profiles/chat/history')).json();
    expect(history.versions[0].fingerprint).toBe(doc.fingerprint);
  });

  it('never showed a secret to anyone else, nor wrote one to the log', () => {
    expect(shown.length).toBeGreaterThan(15);
    for (const secret of SECRETS) {
      expect(shown.filter((body) => body.includes(secret)), secret).toEqual([]);
      expect(logs.filter((line) => line.includes(secret)), secret).toEqual([]);
    }
  });
});
