import { afterEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import {
  isSecretKey,
  keepStoredSecrets,
  redactChanges,
  redactJson,
  redactLogFields,
  redactSecrets,
  redactText,
  REDACTED,
  restoreStoredSecrets,
  SECRET_AREAS,
  useOperatorSecretKeys,
} from '../../src/domain/secrets.js';

describe('keys that name a secret', () => {
  it.each([
    'openai-api-key', 'api_key', 'APIKey', 'apiKey', 'OPENAI_APIKEY', 'key', 'Key', 'x-api-key', 'client_secret', 'clientSecret',
    'secret', 'access-token', 'Token', 'password', 'db_passwd', 'dbPassword', 'private-key', 'privateKey', 'access_key', 'AccessKey',
    'credentials', 'Credentials', 'auth', 'AUTH', 'Authorization', 'authorization', 'bearer', 'Bearer', 'cookie', 'Set-Cookie',
    'session', 'session_id', 'sessionId', 'public-key',
  ])('%s is one', (key) => expect(isSecretKey(key)).toBe(true));
  it.each(['max_tokens', 'ai-max-response-tokens', 'tokenizer', 'ai-engine', 'keyboard', 'keys', 'api-base-url', 'openai-base-url', 'author', 'monkey'])(
    '%s is not',
    (key) => expect(isSecretKey(key)).toBe(false),
  );

  afterEach(() => useOperatorSecretKeys([]));
  it('takes names the operator adds, in any case and spelling, and forgets them when replaced', () => {
    expect(isSecretKey('x-goog-sig')).toBe(false);
    useOperatorSecretKeys(['x-goog-sig', 'pin']);
    for (const key of ['x-goog-sig', 'X_GOOG_SIG', 'xGoogSig', 'PIN', 'admin-pin']) expect(isSecretKey(key), key).toBe(true);
    expect(isSecretKey('pinned')).toBe(false);
    const json = JSON.stringify({ runtime: { step_settings_patch: { vendor: { xGoogSig: 'sig-test-secret-1', other: 1 } } } });
    expect(redactJson(json, SECRET_AREAS.profile)).toBe(JSON.stringify({ runtime: { step_settings_patch: { vendor: { xGoogSig: REDACTED, other: 1 } } } }));
    useOperatorSecretKeys([]);
    expect(isSecretKey('x-goog-sig')).toBe(false);
  });
});

const profile = {
  slug: 'p',
  description: 'mentions a token and a password in prose',
  runtime: {
    system_prompt: 'password: never redacted here',
    step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o', 'openai-api-key': 'sk-1', 'ai-max-response-tokens': 512 } },
    middlewares: [{ name: 'auth', id: 'a', enabled: true, config: { nested: { Password: 'pw', list: [{ token: 't' }] }, empty_secret: '' } }],
  },
  extensions: { 'vendor.auth@v1': { credentials: { secret: { deep: 'value' } }, mode: 'x' } },
};

describe('redaction', () => {
  it('shows every secret of a profile as *** and nothing else, without changing the input', () => {
    const before = JSON.stringify(profile);
    const shown = redactSecrets(profile, SECRET_AREAS.profile);
    expect(JSON.stringify(profile)).toBe(before);
    expect(shown.runtime.step_settings_patch['ai-chat']).toEqual({ 'ai-engine': 'gpt-4o', 'openai-api-key': REDACTED, 'ai-max-response-tokens': 512 });
    expect(shown.runtime.middlewares[0].config).toEqual({ nested: { Password: REDACTED, list: [{ token: REDACTED }] }, empty_secret: '' });
    // an extension's key names a feature (`vendor.auth@v1` is no secret); names inside it count
    expect(shown.extensions['vendor.auth@v1']).toEqual({ credentials: REDACTED, mode: 'x' });
    expect(shown.runtime.system_prompt).toBe(profile.runtime.system_prompt);
    expect(shown.description).toBe(profile.description);
  });

  it('finds credentials by their value under any key, at any depth, in arrays, and only the password of a URL', () => {
    const settings = {
      runtime: {
        step_settings_patch: {
          http: {
            headers: { 'X-Upstream': 'Bearer sk-test-a', Accept: 'application/json', list: ['basic dXNlcjpwdw==', 'plain'] },
            dsn: 'postgres://app:pw-test-secret-dsn@db.internal:5432/chat?sslmode=require',
            note: 'see https://example.com/docs',
            endpoint: 'https://user@example.com/v1',
          },
        },
        middlewares: [{ name: 'm', config: { upstreams: [{ url: 'redis://:pw-test-secret-r@cache:6379/0' }] } }],
      },
    };
    const shown = redactSecrets(settings, SECRET_AREAS.profile);
    expect(shown.runtime.step_settings_patch.http).toEqual({
      headers: { 'X-Upstream': REDACTED, Accept: 'application/json', list: [REDACTED, 'plain'] },
      dsn: 'postgres://app:***@db.internal:5432/chat?sslmode=require',
      note: 'see https://example.com/docs',
      endpoint: 'https://user@example.com/v1',
    });
    expect(shown.runtime.middlewares[0].config.upstreams[0].url).toBe('redis://:***@cache:6379/0');
    const json = JSON.stringify(settings);
    expect(redactJson(json, SECRET_AREAS.profile)).toBe(JSON.stringify(shown));
  });

  it('returns the same text when a JSON document holds no secret, and JSON.stringify of the redacted value otherwise', () => {
    const plain = JSON.stringify({ slug: 'p', runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'x' } } }, policy: { allowed_override_keys: [] } });
    expect(redactJson(plain, SECRET_AREAS.profile)).toBe(plain);
    const json = JSON.stringify(profile);
    expect(redactJson(json, SECRET_AREAS.profile)).toBe(JSON.stringify(redactSecrets(profile, SECRET_AREAS.profile)));
  });

  it('keeps __proto__ keys as data', () => {
    const json = '{"extensions":{"a.b@v1":{"__proto__":{"token":"t"},"x":1}}}';
    expect(JSON.parse(redactJson(json, SECRET_AREAS.profile))).toEqual(JSON.parse('{"extensions":{"a.b@v1":{"__proto__":{"token":"***"},"x":1}}}'));
  });

  it('rebuilds only the containers on the way to a secret, in key order, and nothing when there is none', () => {
    const tools = ['a', 'b'];
    const before = { 'ai-client': { timeout: 30 } };
    const after = [{ name: 'm', config: { level: 1 } }];
    const runtime = { tools, step_settings_patch: { ...before, 'ai-chat': { 'ai-engine': 'e', 'openai-api-key': 'sk-test-h', n: 2 } }, middlewares: after };
    const redacted = redactSecrets(runtime, SECRET_AREAS.runtime);
    expect(JSON.stringify(redacted)).toBe(JSON.stringify({ ...runtime, step_settings_patch: { ...runtime.step_settings_patch, 'ai-chat': { 'ai-engine': 'e', 'openai-api-key': REDACTED, n: 2 } } }));
    expect(redacted.tools).toBe(tools);
    expect(redacted.middlewares).toBe(after);
    expect(redacted.step_settings_patch['ai-client']).toBe(before['ai-client']);
    const list = [{ config: { x: 1 } }, { config: { token: 't-test-i' } }, { config: { y: 2 } }];
    const redactedList = redactSecrets({ middlewares: list }, SECRET_AREAS.runtime).middlewares;
    expect(redactedList).toEqual([list[0], { config: { token: REDACTED } }, list[2]]);
    expect(redactedList[0]).toBe(list[0]);
    expect(redactedList[2]).toBe(list[2]);
    const clean = { tools, middlewares: after };
    expect(redactSecrets(clean, SECRET_AREAS.runtime)).toBe(clean);
  });

  it('redacts the values of RFC 6902 changes by their path', () => {
    const changes = redactChanges(
      [
        { op: 'replace', path: '/runtime/step_settings_patch/ai-chat/openai-api-key', value: 'sk-2' },
        { op: 'add', path: '/runtime', value: profile.runtime },
        { op: 'replace', path: '/description', value: 'token' },
        { op: 'remove', path: '/extensions/vendor.auth@v1' },
        { op: 'replace', path: '/runtime/step_settings_patch/http/headers/X-Up', value: 'Bearer sk-test-b' },
        { op: 'replace', path: '/runtime/step_settings_patch/http/dsn', value: 'postgres://u:pw-test-secret-c@h/d' },
      ],
      SECRET_AREAS.profile,
    );
    expect(changes[0].value).toBe(REDACTED);
    expect(JSON.stringify(changes[1].value)).not.toContain('sk-1');
    expect(changes[2].value).toBe('token');
    expect(changes[3]).toEqual({ op: 'remove', path: '/extensions/vendor.auth@v1' });
    expect(changes[4].value).toBe(REDACTED);
    expect(changes[5].value).toBe('postgres://u:***@h/d');
  });

  it('finds secrets in registries, bundles and events', () => {
    expect(JSON.stringify(redactSecrets({ profiles: { p: profile } }, SECRET_AREAS.registry))).not.toMatch(/sk-1|"pw"|"t"|deep/);
    expect(JSON.stringify(redactSecrets({ registries: { r: { profiles: { p: profile } } } }, SECRET_AREAS.bundle))).not.toMatch(/sk-1|"pw"/);
    expect(JSON.stringify(redactSecrets([{ data: { content: profile } }], SECRET_AREAS.events))).not.toMatch(/sk-1|"pw"/);
    expect(JSON.stringify(redactSecrets(profile.runtime, SECRET_AREAS.runtime))).not.toMatch(/sk-1|"pw"/);
  });

  it('masks log fields and free text with the same rules', () => {
    const fields = redactLogFields({ detail: 'upstream Bearer sk-test-d refused', body: { cookie: 'c-test-secret', n: 1 }, url: 'postgres://a:pw-test-secret-e@h/x' });
    expect(fields).toEqual({ detail: 'upstream Bearer *** refused', body: { cookie: REDACTED, n: 1 }, url: 'postgres://a:***@h/x' });
    expect(redactText('Authorization: Basic dXNlcjpwdw== and mysql://root:pw@db')).toBe('Authorization: Basic *** and mysql://root:***@db');
  });
});

describe('a write that sends *** back', () => {
  const runtime = profile.runtime;
  const read = redactSecrets(runtime, SECRET_AREAS.runtime);

  it('keeps the stored value when nothing else in its object changed, matching middlewares by id or name', () => {
    const sentBack = { ...read, system_prompt: 'a new prompt', middlewares: [{ name: 'other', enabled: true }, ...read.middlewares] };
    const kept = keepStoredSecrets(sentBack, runtime, SECRET_AREAS.runtime);
    expect(kept.step_settings_patch['ai-chat']['openai-api-key']).toBe('sk-1');
    expect(kept.middlewares[1]).toEqual(runtime.middlewares[0]);
    expect(kept.system_prompt).toBe('a new prompt');
    const changed = keepStoredSecrets({ step_settings_patch: { 'ai-chat': { 'openai-api-key': 'sk-new' } } }, runtime, SECRET_AREAS.runtime);
    expect(changed.step_settings_patch['ai-chat']['openai-api-key']).toBe('sk-new');
  });

  it('refuses a mask beside a changed, added or removed value, naming the secret to re-enter', () => {
    const steer = (chat: Record<string, unknown>) =>
      restoreStoredSecrets({ ...read, step_settings_patch: { 'ai-chat': chat } }, runtime, SECRET_AREAS.runtime, '/runtime');
    const pointer = '/runtime/step_settings_patch/ai-chat/openai-api-key';
    const base = read.step_settings_patch['ai-chat'];
    expect(steer({ ...base, 'openai-base-url': 'https://attacker.example' }).reenter.map((error) => error.path)).toEqual([pointer]);
    expect(steer({ ...base, 'ai-engine': 'gpt-5' }).reenter.map((error) => error.path)).toEqual([pointer]);
    const { 'ai-max-response-tokens': _removed, ...withoutOne } = base;
    expect(steer(withoutOne).reenter.map((error) => error.path)).toEqual([pointer]);
    expect(steer(base).reenter).toEqual([]);
    try {
      keepStoredSecrets({ step_settings_patch: { 'ai-chat': { ...base, 'openai-base-url': 'https://x' } } }, runtime, SECRET_AREAS.runtime, '/runtime');
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error) && error.code).toBe('secret_reentry');
      expect((error as Error).message).toContain(pointer);
    }
  });

  it('refuses a mask where nothing is stored (a new middleware, a new profile)', () => {
    const added = restoreStoredSecrets({ middlewares: [{ name: 'new', config: { token: REDACTED } }] }, runtime, SECRET_AREAS.runtime, '/runtime');
    expect(added.reenter.map((error) => error.path)).toEqual(['/runtime/middlewares/0/config/token']);
    expect(restoreStoredSecrets(read, undefined, SECRET_AREAS.runtime).reenter.length).toBe(3);
  });

  it('keeps a credential found by its value, and a URL password only while the rest of the URL is the same', () => {
    const stored = { http: { headers: { 'X-Up': 'Bearer sk-test-f' }, dsn: 'postgres://app:pw-test-secret-g@db/chat' } };
    const shown = redactSecrets(stored, SECRET_AREAS.runtime, ['step_settings_patch']);
    const kept = keepStoredSecrets({ step_settings_patch: shown }, { step_settings_patch: stored }, SECRET_AREAS.runtime);
    expect(kept.step_settings_patch).toEqual(stored);
    const moved = restoreStoredSecrets(
      { step_settings_patch: { ...shown, http: { ...shown.http, dsn: 'postgres://app:***@attacker.example/chat' } } },
      { step_settings_patch: stored },
      SECRET_AREAS.runtime,
    );
    expect(moved.reenter.map((error) => error.path)).toEqual(['/step_settings_patch/http/dsn']);
  });

  it('leaves a value without any mask as it is, and finds a mask however deep in arrays it is', () => {
    const fresh = { ...runtime, system_prompt: 'changed', middlewares: [{ name: 'n', config: { level: 'debug' } }] };
    expect(restoreStoredSecrets(fresh, runtime, SECRET_AREAS.runtime)).toEqual({ value: fresh, reenter: [] });
    expect(restoreStoredSecrets(fresh, runtime, SECRET_AREAS.runtime).value).toBe(fresh);
    const deep = { extensions: { 'a.b@v1': { list: [[{ token: REDACTED }]] } } };
    const stored = { extensions: { 'a.b@v1': { list: [[{ token: 't-test-j' }]] } } };
    expect(restoreStoredSecrets(deep, stored, SECRET_AREAS.profile).value).toEqual(stored);
  });

  it('does not take "***" from outside the secret areas', () => {
    const kept = keepStoredSecrets({ system_prompt: REDACTED }, { system_prompt: 'real' }, SECRET_AREAS.runtime);
    expect(kept.system_prompt).toBe(REDACTED);
  });
});

describe('JSON text', () => {
  it('finds secret keys however the JSON spells them, and only keys', () => {
    const escaped = '{"runtime":{"step_settings_patch":{"ai-chat":{"\\u0074oken":"t1","x\\"token":"t2"}}}}';
    expect(redactJson(escaped, SECRET_AREAS.profile)).not.toMatch(/t1|t2/);
    const valueOnly = '{"runtime":{"step_settings_patch":{"ai-chat":{"note":"token: \\"password\\":","max_tokens":5}}}}';
    expect(redactJson(valueOnly, SECRET_AREAS.profile)).toBe(valueOnly);
  });

  it('finds a credential whose spaces the JSON writes as escapes', () => {
    for (const credential of ['\tBearer abc', 'Bearer\tabc', '\n basic\rabc', '\fBasic\nabc', ' \u00a0bearer abc']) {
      const json = JSON.stringify({ runtime: { step_settings_patch: { headers: { 'x-forwarded': credential }, list: ['a', credential] } } });
      expect(redactJson(json, SECRET_AREAS.profile)).toBe(JSON.stringify({ runtime: { step_settings_patch: { headers: { 'x-forwarded': REDACTED }, list: ['a', REDACTED] } } }));
    }
  });

  it('redacts JSON text as redactSecrets redacts its value, for 3,000 random values of spaces, escapes, credentials and URLs', () => {
    const pieces = [' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2028', '\\', '"', 'bearer', 'Basic', 'BEARER', 'x', 'y1', '://', ':', '@', '/', 'http', '***', '\u000b'];
    let seed = 29;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 8) / 16777216;
    const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    let redacted = 0;
    for (let n = 0; n < 3000; n++) {
      const profile = { slug: text(), runtime: { step_settings_patch: { [`k${n % 7}`]: text(), list: [text(), { url: text() }] } } };
      const json = JSON.stringify(profile);
      const expected = redactSecrets(profile, SECRET_AREAS.profile);
      if (expected !== profile) redacted += 1;
      expect(redactJson(json, SECRET_AREAS.profile)).toBe(expected === profile ? json : JSON.stringify(expected));
    }
    expect(redacted).toBeGreaterThan(300);
  });
});
