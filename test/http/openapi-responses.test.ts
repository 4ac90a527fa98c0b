import { Ajv2020 } from 'ajv/dist/2020.js';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSigningKeys } from '../../src/domain/signing-keys.js';
import { writeTestTokens } from '../support/auth-tokens.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

/**
 * Every route's real answers, successes and problems, checked against what /openapi.json declares
 * for that operation and status: the status is declared, the media type is declared, the body
 * validates against the declared schema. Every operation of the document is exercised.
 */

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Document = { paths: Record<string, Record<string, Operation>> };
type Call = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> };

const SIGNING_KEYS = parseSigningKeys('keys:\n  - id: test-key\n    secret: a-signing-secret-for-the-test\n');
const FAKE_KEY = 'sk-test-openapi-0000000000000000';

describe('/openapi.json describes the real answers of every route', () => {
  let t: TestApp;
  let document: Document;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const validators = new Map<object, ReturnType<typeof ajv.compile>>();
  /** `METHOD template` → the kinds of answer seen. */
  const covered = new Map<string, Set<'success' | 'problem'>>();
  const dir = tempDir();

  const templateOf = (url: string): string => {
    const path = url.split('?')[0]!;
    const matches = Object.keys(document.paths).filter((template) =>
      new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`).test(path),
    );
    expect(matches, `one documented path for ${path}`).toHaveLength(1);
    return matches[0]!;
  };

  /** Checks one answer against the document and records what it covered. */
  const check = (call: Call, response: LightMyRequestResponse) => {
    const template = templateOf(call.url);
    const operation = document.paths[template]![call.method.toLowerCase()];
    expect(operation, `${call.method} ${template} is documented`).toBeDefined();
    const declared = operation!.responses[String(response.statusCode)];
    expect(declared, `${call.method} ${call.url} answered ${response.statusCode}, which is not documented: ${response.body}`).toBeDefined();
    if (response.statusCode === 204 || response.statusCode === 304) expect(response.body).toBe('');
    else {
      const mediaType = String(response.headers['content-type']).split(';')[0]!;
      const media = declared!.content?.[mediaType];
      expect(media, `${call.method} ${template} ${response.statusCode} declares ${mediaType}`).toBeDefined();
      let validate = validators.get(media!.schema);
      if (!validate) {
        validate = ajv.compile(media!.schema);
        validators.set(media!.schema, validate);
      }
      const body = mediaType.endsWith('json') ? response.json() : response.body;
      expect(validate(body), `${call.method} ${call.url} ${response.statusCode}: ${ajv.errorsText(validate.errors)}\n${response.body.slice(0, 500)}`).toBe(true);
    }
    const key = `${call.method} ${template}`;
    const seen = covered.get(key) ?? new Set();
    seen.add(response.statusCode < 400 ? 'success' : 'problem');
    covered.set(key, seen);
    return response;
  };

  const call = async (app: TestApp, request: Call) =>
    check(request, await app.app.inject({ method: request.method, url: request.url, payload: request.payload as object, headers: request.headers }));
  const ok = async (request: Call) => {
    const response = await call(t, request);
    expect(response.statusCode, `${request.method} ${request.url}: ${response.body}`).toBeLessThan(400);
    return response;
  };
  const refused = async (request: Call) => {
    const response = await call(t, request);
    expect(response.statusCode, `${request.method} ${request.url}: ${response.body}`).toBeGreaterThanOrEqual(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    return response;
  };

  beforeAll(async () => {
    t = await openTestApp('sqlite', { signingKeys: SIGNING_KEYS });
    document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('registries and profiles', async () => {
    await ok({ method: 'POST', url: '/api/registries', payload: { slug: 'team', display_name: 'Team' } });
    await refused({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    await ok({ method: 'GET', url: '/api/registries' });
    await ok({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: {
        registry: 'team',
        slug: 'base',
        display_name: 'Base',
        runtime: { system_prompt: 'Be brief', step_settings_patch: { 'ai-chat': { 'openai-api-key': FAKE_KEY } }, tools: ['search'] },
        extensions: { 'vendor.custom@v1': { on: true } },
        policy: { allow_overrides: true },
        metadata: { tags: ['a'] },
      },
    });
    await ok({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'analyst', stack: [{ profile_slug: 'base' }] } });
    await refused({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'base' } });
    await ok({ method: 'GET', url: '/api/chat/profiles?registry=team' });
    await ok({ method: 'GET', url: '/api/chat/profiles' });
    await ok({ method: 'GET', url: `/api/chat/profiles?contains=${encodeURIComponent('{"runtime":{"tools":["search"]}}')}` });
    await refused({ method: 'GET', url: '/api/chat/profiles?registry=nope' });
    const read = await ok({ method: 'GET', url: '/api/chat/profiles/base?registry=team' });
    await ok({ method: 'GET', url: '/api/chat/profiles/base?registry=team', headers: { 'if-none-match': String(read.headers.etag) } });
    await ok({ method: 'GET', url: '/api/chat/profiles/base?registry=team&version=1' });
    await refused({ method: 'GET', url: '/api/chat/profiles/nope?registry=team' });
    await ok({ method: 'PATCH', url: '/api/chat/profiles/base?registry=team', payload: { description: 'The base', runtime: { system_prompt: 'Be briefer' } } });
    await refused({ method: 'PATCH', url: '/api/chat/profiles/base?registry=team', payload: { expected_version: 99 } });
    await ok({ method: 'POST', url: '/api/chat/profiles/analyst/default', payload: { registry: 'team' } });
    await refused({ method: 'POST', url: '/api/chat/profiles/nope/default', payload: { registry: 'team' } });
    await ok({ method: 'POST', url: '/api/chat/profiles/analyst/publish', payload: { registry: 'team' } });
    await refused({ method: 'POST', url: '/api/chat/profiles/nope/publish', payload: { registry: 'team' } });
    await ok({ method: 'GET', url: '/api/registries/team' });
    await ok({ method: 'GET', url: '/api/registries/team?version=1' });
    await refused({ method: 'GET', url: '/api/registries/nope' });
    await ok({ method: 'PATCH', url: '/api/registries/team', payload: { description: 'Our team', default_profile_slug: 'base' } });
    await refused({ method: 'PATCH', url: '/api/registries/team', payload: { profiles: {} } });
  });

  it('history, restore, resolve and the current profile', async () => {
    await ok({ method: 'GET', url: '/api/registries/team/events' });
    await refused({ method: 'GET', url: '/api/registries/team/events?limit=0' });
    await ok({ method: 'GET', url: '/api/chat/profiles/base/history?registry=team' });
    await refused({ method: 'GET', url: '/api/chat/profiles/nope/history?registry=team' });
    await ok({ method: 'GET', url: '/api/chat/profiles/base/diff?registry=team&from=1&to=2' });
    await refused({ method: 'GET', url: '/api/chat/profiles/base/diff?registry=team&from=0&to=2' });
    await ok({ method: 'POST', url: '/api/chat/profiles/base/restore', payload: { registry: 'team', to_version: 1, dry_run: true } });
    await ok({ method: 'POST', url: '/api/chat/profiles/base/restore', payload: { registry: 'team', to_version: 1 } });
    await refused({ method: 'POST', url: '/api/chat/profiles/base/restore', payload: { registry: 'team' } });
    await ok({ method: 'POST', url: '/api/registries/team/restore', payload: { to_version: 1, dry_run: true } });
    await refused({ method: 'POST', url: '/api/registries/team/restore', payload: {} });

    await ok({ method: 'GET', url: '/api/chat/resolve?registry=team' });
    await refused({ method: 'GET', url: '/api/chat/resolve?registry=nope' });
    await ok({ method: 'POST', url: '/api/chat/resolve', payload: { registry: 'team', profile: 'base', overrides: { tools: ['calc'] } } });
    await refused({ method: 'POST', url: '/api/chat/resolve', payload: { registry: 'team', bogus: true } });
    await ok({ method: 'GET', url: '/api/chat/resolve/analyst?registry=team' });
    await refused({ method: 'GET', url: '/api/chat/resolve/not%20a%20slug' });
    await ok({ method: 'POST', url: '/api/chat/resolve/base', payload: { registry: 'team' } });
    await refused({ method: 'POST', url: '/api/chat/resolve/nope', payload: { registry: 'team' } });

    await ok({ method: 'POST', url: '/api/chat/profile', payload: { registry: 'team', profile: 'base' } });
    await refused({ method: 'POST', url: '/api/chat/profile', payload: { registry: 'team', profile: 'nope' } });
    await ok({ method: 'GET', url: '/api/chat/profile?registry=team' });
    await refused({ method: 'GET', url: '/api/chat/profile?registry=nope' });

    await ok({ method: 'GET', url: '/api/watch?after=0&wait=0', headers: { accept: 'application/json' } });
    await refused({ method: 'GET', url: '/api/watch?after=x', headers: { accept: 'application/json' } });
  });

  it('import, export and schemas', async () => {
    await ok({ method: 'POST', url: '/api/registries/helpers/import', payload: { slug: 'helpers', profiles: { helper: { runtime: { system_prompt: 'Help' } } } } });
    await refused({ method: 'POST', url: '/api/registries/helpers/import', payload: 'slug: helpers\n', headers: { 'content-type': 'application/yaml' } });
    await ok({ method: 'GET', url: '/api/registries/team/export' });
    await ok({ method: 'GET', url: '/api/registries/team/export', headers: { accept: 'application/json' } });
    await refused({ method: 'GET', url: '/api/registries/nope/export' });

    for (const [kind, name, body] of [
      ['middlewares', 'agentmode', { version: 1, display_name: 'Agent mode', schema: { type: 'object' } }],
      ['extensions', 'vendor.other@v1', { schema: { type: 'object' } }],
    ] as const) {
      const path = `/api/chat/schemas/${kind}`;
      await ok({ method: 'PUT', url: `${path}/${name}`, payload: body });
      await ok({ method: 'PUT', url: `${path}/${name}`, payload: { ...body, schema: { type: 'object', properties: {} } } });
      await refused({ method: 'PUT', url: `${path}/${name}`, payload: { ...body, schema: 1 } });
      await ok({ method: 'GET', url: path });
      await refused({ method: 'GET', url: `${path}?as_of=yesterday` });
      await ok({ method: 'GET', url: `${path}/${name}` });
      await refused({ method: 'GET', url: `${path}/nope.missing@v1` });
      await ok({ method: 'GET', url: `${path}/${name}/history` });
      await refused({ method: 'GET', url: `${path}/%20/history` });
      await ok({ method: 'DELETE', url: `${path}/${name}` });
      await refused({ method: 'DELETE', url: `${path}/${name}?force=maybe` });
    }
  });

  it('deletes, operations, and the problems of auth and an unreachable database', async () => {
    await ok({ method: 'DELETE', url: '/api/chat/profiles/analyst?registry=team' });
    await refused({ method: 'DELETE', url: '/api/chat/profiles/nope?registry=team' });
    await ok({ method: 'DELETE', url: '/api/registries/helpers' });
    await refused({ method: 'DELETE', url: '/api/registries/nope' });
    await ok({ method: 'GET', url: '/healthz' });
    await ok({ method: 'GET', url: '/readyz' });
    await ok({ method: 'GET', url: '/metrics' });
    expect((await ok({ method: 'GET', url: '/api/session' })).json()).toEqual({ name: null, role: 'admin' });

    const tokens = writeTestTokens(dir.dir);
    const guarded = await openTestApp('sqlite', {}, { authTokensFile: tokens.file });
    try {
      expect((await call(guarded, { method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await call(guarded, { method: 'GET', url: '/api/registries' })).statusCode).toBe(401);
      expect((await call(guarded, { method: 'GET', url: '/api/session' })).statusCode).toBe(401);
      const session = await call(guarded, { method: 'GET', url: '/api/session', headers: tokens.bearer('reader') });
      expect(session.json()).toMatchObject({ role: 'reader' });
      expect((await call(guarded, { method: 'POST', url: '/api/registries', payload: { slug: 'x' }, headers: tokens.bearer('reader') })).statusCode).toBe(403);
    } finally {
      await guarded.close();
    }
    const down = await openTestApp('sqlite');
    try {
      await down.store.close();
      expect((await call(down, { method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await down.close();
    }
  });

  it('every documented operation was answered with a success, and with a problem where it declares one', () => {
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${path}`;
        const seen = covered.get(key) ?? new Set();
        if (!seen.has('success')) missing.push(`${key}: a success`);
        const declaresProblems = Object.keys(operation.responses).some((status) => Number(status) >= 400);
        if (declaresProblems && !seen.has('problem')) missing.push(`${key}: a problem`);
      }
    }
    expect(missing).toEqual([]);
  });
});
