import { describe, expect, it } from 'vitest';
import { isSecretKey, keepStoredSecrets, redactChanges, redactJson, redactSecrets, REDACTED, SECRET_AREAS } from '../../src/domain/secrets.js';

describe('keys that name a secret', () => {
  it.each(['openai-api-key', 'api_key', 'APIKey', 'apiKey', 'OPENAI_APIKEY', 'client_secret', 'secret', 'access-token', 'Token', 'password', 'db_passwd', 'private-key', 'privateKey'])(
    '%s is one',
    (key) => expect(isSecretKey(key)).toBe(true),
  );
  it.each(['max_tokens', 'ai-max-response-tokens', 'tokenizer', 'ai-engine', 'keyboard', 'api-base-url', 'public-key'])('%s is not', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});

const profile = {
  slug: 'p',
  description: 'mentions a token and a password in prose',
  runtime: {
    system_prompt: 'password: never redacted here',
    step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o', 'openai-api-key': 'sk-1', 'ai-max-response-tokens': 512 } },
    middlewares: [{ name: 'auth', id: 'a', enabled: true, config: { nested: { Password: 'pw', list: [{ token: 't' }] }, empty_secret: '' } }],
  },
  extensions: { 'vendor.x@v1': { credentials: { secret: { deep: 'value' } } } },
};

describe('redaction', () => {
  it('shows every secret of a profile as *** and nothing else, without changing the input', () => {
    const before = JSON.stringify(profile);
    const shown = redactSecrets(profile, SECRET_AREAS.profile);
    expect(JSON.stringify(profile)).toBe(before);
    expect(shown.runtime.step_settings_patch['ai-chat']).toEqual({ 'ai-engine': 'gpt-4o', 'openai-api-key': REDACTED, 'ai-max-response-tokens': 512 });
    expect(shown.runtime.middlewares[0].config).toEqual({ nested: { Password: REDACTED, list: [{ token: REDACTED }] }, empty_secret: '' });
    expect(shown.extensions['vendor.x@v1']).toEqual({ credentials: { secret: REDACTED } });
    expect(shown.runtime.system_prompt).toBe(profile.runtime.system_prompt);
    expect(shown.description).toBe(profile.description);
  });

  it('returns the same text when a JSON document holds no secret, and JSON.stringify of the redacted value otherwise', () => {
    const plain = JSON.stringify({ slug: 'p', runtime: { step_settings_patch: { 'ai-chat': { 'ai-engine': 'x' } } } });
    expect(redactJson(plain, SECRET_AREAS.profile)).toBe(plain);
    const json = JSON.stringify(profile);
    expect(redactJson(json, SECRET_AREAS.profile)).toBe(JSON.stringify(redactSecrets(profile, SECRET_AREAS.profile)));
  });

  it('keeps __proto__ keys as data', () => {
    const json = '{"extensions":{"a.b@v1":{"__proto__":{"token":"t"},"x":1}}}';
    expect(JSON.parse(redactJson(json, SECRET_AREAS.profile))).toEqual(JSON.parse('{"extensions":{"a.b@v1":{"__proto__":{"token":"***"},"x":1}}}'));
  });

  it('redacts the values of RFC 6902 changes by their path', () => {
    const changes = redactChanges(
      [
        { op: 'replace', path: '/runtime/step_settings_patch/ai-chat/openai-api-key', value: 'sk-2' },
        { op: 'add', path: '/runtime', value: profile.runtime },
        { op: 'replace', path: '/description', value: 'token' },
        { op: 'remove', path: '/extensions/vendor.x@v1' },
      ],
      SECRET_AREAS.profile,
    );
    expect(changes[0].value).toBe(REDACTED);
    expect(JSON.stringify(changes[1].value)).not.toContain('sk-1');
    expect(changes[2].value).toBe('token');
    expect(changes[3]).toEqual({ op: 'remove', path: '/extensions/vendor.x@v1' });
  });

  it('finds secrets in registries, bundles and events', () => {
    expect(JSON.stringify(redactSecrets({ profiles: { p: profile } }, SECRET_AREAS.registry))).not.toMatch(/sk-1|"pw"|"t"|deep/);
    expect(JSON.stringify(redactSecrets({ registries: { r: { profiles: { p: profile } } } }, SECRET_AREAS.bundle))).not.toMatch(/sk-1|"pw"/);
    expect(JSON.stringify(redactSecrets([{ data: { content: profile } }], SECRET_AREAS.events))).not.toMatch(/sk-1|"pw"/);
    expect(JSON.stringify(redactSecrets(profile.runtime, SECRET_AREAS.runtime))).not.toMatch(/sk-1|"pw"/);
  });
});

describe('a write that sends *** back', () => {
  it('keeps the stored value, matching middlewares by id or name, and takes new values as written', () => {
    const read = redactSecrets(profile.runtime, SECRET_AREAS.runtime);
    const sentBack = {
      ...read,
      step_settings_patch: { 'ai-chat': { ...read.step_settings_patch['ai-chat'], 'ai-engine': 'gpt-5' } },
      middlewares: [{ name: 'other', enabled: true, config: { token: REDACTED } }, ...read.middlewares],
    };
    const kept = keepStoredSecrets(sentBack, profile.runtime, SECRET_AREAS.runtime);
    expect(kept.step_settings_patch['ai-chat']['openai-api-key']).toBe('sk-1');
    expect(kept.step_settings_patch['ai-chat']['ai-engine']).toBe('gpt-5');
    expect(kept.middlewares[1].config).toEqual(profile.runtime.middlewares[0].config);
    // nothing stored for the new middleware: "***" stays as written
    expect(kept.middlewares[0].config).toEqual({ token: REDACTED });
    const changed = keepStoredSecrets({ step_settings_patch: { 'ai-chat': { 'openai-api-key': 'sk-new' } } }, profile.runtime, SECRET_AREAS.runtime);
    expect(changed.step_settings_patch['ai-chat']['openai-api-key']).toBe('sk-new');
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
});
