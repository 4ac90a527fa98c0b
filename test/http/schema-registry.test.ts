import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyProjections } from '../../src/projections/verify-projections.js';
import { postgresAvailable } from '../support/postgres.js';
import { expectProblem } from '../support/problem-assertions.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, steppingClock, type Backend, type TestApp } from '../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

type Json = Record<string, unknown>;

// exactly what pinocchio's web-chat answered and go-go-os's profileApi.ts decodes
const middlewareSchemaList = z.array(
  z.strictObject({
    name: z.string(),
    version: z.number(),
    display_name: z.string().optional(),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
  }),
);
const extensionSchemaList = z.array(z.strictObject({ key: z.string(), schema: z.record(z.string(), z.unknown()) }));

const inferenceSchema = {
  type: 'object',
  properties: { max_tokens: { type: 'integer', minimum: 1, maximum: 4096 }, model: { type: 'string' } },
  additionalProperties: false,
};
const flagsSchema = {
  type: 'object',
  properties: { flags: { type: 'array', items: { type: 'object', properties: { enabled: { type: 'boolean' } }, required: ['enabled'] } } },
};

const analyst = (maxTokens: number): Json => ({
  registry: 'goose',
  slug: 'analyst',
  runtime: {
    system_prompt: 'You are an analyst',
    middlewares: [
      { name: 'agentmode', config: { default_mode: 'chat' } },
      { name: 'inference', id: 'main', config: { max_tokens: maxTokens } },
    ],
  },
  extensions: { 'vendor.custom@v1': { flags: [{ enabled: true }] } },
});

describe.each(backends)('schema registry on %s', (backend) => {
  let t: TestApp;
  const start = 1_771_880_000_000;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(start) });
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'goose' } });
  });
  afterAll(async () => t?.close());

  const request = (method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, actor = 'admin') =>
    t.app.inject({ method, url, payload: payload as Json, headers: { 'x-actor': actor } });

  it('answers [] for both lists while nothing is registered', async () => {
    for (const url of ['/api/chat/schemas/middlewares', '/api/chat/schemas/extensions']) {
      const response = await request('GET', url);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([]);
    }
  });

  it('registers schemas (201, then 200), and lists them in the shapes the chat clients decode', async () => {
    const created = await request('PUT', '/api/chat/schemas/middlewares/inference', {
      version: 1,
      display_name: 'Inference',
      description: 'Engine limits',
      schema: { ...inferenceSchema, properties: { max_tokens: { type: 'integer' } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'inference', version: 1, metadata: { version: 1, created_by: 'admin' } });
    const changed = await request('PUT', '/api/chat/schemas/middlewares/inference', {
      version: 2,
      display_name: 'Inference',
      description: 'Engine limits',
      schema: inferenceSchema,
      expected_version: 1,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().metadata.version).toBe(2);
    expect((await request('PUT', '/api/chat/schemas/middlewares/agentmode', { version: 1, schema: { type: 'object' } })).statusCode).toBe(201);
    expect((await request('PUT', '/api/chat/schemas/extensions/vendor.custom@v1', { schema: flagsSchema })).statusCode).toBe(201);

    const middlewares = middlewareSchemaList.parse((await request('GET', '/api/chat/schemas/middlewares')).json());
    expect(middlewares).toEqual([
      { name: 'agentmode', version: 1, schema: { type: 'object' } },
      { name: 'inference', version: 2, display_name: 'Inference', description: 'Engine limits', schema: inferenceSchema },
    ]);
    const extensions = extensionSchemaList.parse((await request('GET', '/api/chat/schemas/extensions')).json());
    expect(extensions).toEqual([{ key: 'vendor.custom@v1', schema: flagsSchema }]);
    const one = await request('GET', '/api/chat/schemas/extensions/vendor.custom@v1');
    expect(one.json()).toMatchObject({ key: 'vendor.custom@v1', schema: flagsSchema, metadata: { version: 1 } });
  });

  it('refuses a schema that is not valid JSON Schema 2020-12 (400 naming what is wrong), a stale expected_version (409)', async () => {
    const before = await storeSnapshot(t.store.db);
    const invalid = await request('PUT', '/api/chat/schemas/middlewares/broken', { version: 1, schema: { type: 'objekt' } });
    const body = expectProblem(invalid, 400, /^validation error \(schema\.type\): not a valid JSON Schema/);
    expect(body.errors[0].path).toBe('/schema/type');
    const badRef = await request('PUT', '/api/chat/schemas/middlewares/broken', { version: 1, schema: { $ref: '#/$defs/missing' } });
    expectProblem(badRef, 400, /can't resolve reference/);
    expectProblem(
      await request('PUT', '/api/chat/schemas/middlewares/inference', { version: 3, schema: inferenceSchema, expected_version: 1 }),
      409,
      'middleware schema "inference" version conflict: expected=1 actual=2',
    );
    expectProblem(await request('PUT', '/api/chat/schemas/extensions/not-a-key', { schema: {} }), 400, /invalid extension key/);
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });

  it('refuses a profile whose middleware config violates its schema (400 with the JSON pointer, nothing written); a valid one is 201', async () => {
    const before = await storeSnapshot(t.store.db);
    const refused = await request('POST', '/api/chat/profiles', analyst(5000));
    const body = expectProblem(refused, 400, 'validation error (runtime.middlewares[1].config.max_tokens): must be <= 4096');
    expect(body.errors).toEqual([{ path: '/runtime/middlewares/1/config/max_tokens', message: 'must be <= 4096' }]);
    const badExtension = { ...analyst(100), extensions: { 'vendor.custom@v1': { flags: [{}] } } };
    const extensionBody = expectProblem(
      await request('POST', '/api/chat/profiles', badExtension),
      400,
      "validation error (extensions.vendor.custom@v1.flags[0].enabled): must have required property 'enabled'",
    );
    expect(extensionBody.errors[0].path).toBe('/extensions/vendor.custom@v1/flags/0/enabled');
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const created = await request('POST', '/api/chat/profiles', analyst(4096));
    expect(created.statusCode, created.body).toBe(201);
    const before2 = await storeSnapshot(t.store.db);
    const patch = { runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 4096, temperature: 2 } }] } };
    expectProblem(
      await request('PATCH', '/api/chat/profiles/analyst?registry=goose', patch),
      400,
      'validation error (runtime.middlewares[0].config.temperature): must NOT have additional properties',
    );
    expect(await storeSnapshot(t.store.db)).toEqual(before2);
  });

  it('refuses middleware names without a schema in every registry once the catalog has entries; extension keys only where the registry says unknown_extensions: refuse', async () => {
    const strict = await request('POST', '/api/registries', { slug: 'strict', unknown_middlewares: 'refuse', unknown_extensions: 'refuse' });
    expect(strict.statusCode, strict.body).toBe(201);
    expect(strict.json()).toMatchObject({ unknown_middlewares: 'refuse', unknown_extensions: 'refuse' });
    const before = await storeSnapshot(t.store.db);
    const unknown = { registry: 'strict', slug: 'x', runtime: { middlewares: [{ name: 'mystery' }] } };
    const unknownName = 'validation error (runtime.middlewares[0].name): no schema is registered for middleware "mystery"';
    expectProblem(await request('POST', '/api/chat/profiles', unknown), 400, unknownName);
    expectProblem(
      await request('POST', '/api/chat/profiles', { registry: 'strict', slug: 'x', extensions: { 'acme.thing@v1': {} } }),
      400,
      'validation error (extensions.acme.thing@v1): no schema is registered for extension "acme.thing@v1"',
    );
    // goose says nothing: the catalog has entries, so the default refuses the middleware; the extension is free
    expectProblem(await request('POST', '/api/chat/profiles', { ...unknown, registry: 'goose' }), 400, unknownName);
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    const extension = await request('POST', '/api/chat/profiles', { registry: 'goose', slug: 'x', extensions: { 'acme.thing@v1': {} } });
    expect(extension.statusCode, extension.body).toBe(201);
    // `allow` is the default (no opt-out: see docs/COMPATIBILITY.md)
    const relaxed = await request('PATCH', '/api/registries/strict', { unknown_middlewares: 'allow' });
    expect(relaxed.json()).not.toHaveProperty('unknown_middlewares');
    expect(relaxed.json()).toMatchObject({ unknown_extensions: 'refuse' });
    expectProblem(await request('POST', '/api/chat/profiles', unknown), 400, unknownName);
  });

  it('refuses a schema change that would break a stored profile (409 naming it); force accepts it and the history records it', async () => {
    const stricter = { version: 3, schema: { ...inferenceSchema, properties: { ...inferenceSchema.properties, max_tokens: { type: 'integer', maximum: 1024 } } } };
    const before = await storeSnapshot(t.store.db);
    const refused = await request('PUT', '/api/chat/schemas/middlewares/inference', stricter);
    const body = expectProblem(refused, 409, /goose\/analyst \(runtime\.middlewares\[1\]\.config\.max_tokens: must be <= 1024\)/);
    expect(body.profiles).toEqual([
      { registry: 'goose', slug: 'analyst', path: '/runtime/middlewares/1/config/max_tokens', message: 'must be <= 1024' },
    ]);
    expect(await storeSnapshot(t.store.db)).toEqual(before);

    const forced = await request('PUT', '/api/chat/schemas/middlewares/inference', { ...stricter, force: true }, 'carol');
    expect(forced.statusCode, forced.body).toBe(200);
    const history = await request('GET', '/api/chat/schemas/middlewares/inference/history');
    expect(history.statusCode).toBe(200);
    const { versions } = history.json();
    expect(versions.map((v: Json) => [v.version, v.type, v.actor])).toEqual([
      [3, 'schema.registered', 'carol'],
      [2, 'schema.registered', 'admin'],
      [1, 'schema.registered', 'admin'],
    ]);
    expect(versions[0].forced).toEqual({
      broken: [{ registry: 'goose', profile: 'analyst', path: '/runtime/middlewares/1/config/max_tokens', message: 'must be <= 1024' }],
    });
    expect(versions[1]).not.toHaveProperty('forced');
    // the stored profile is as it was: a later write to it must pass the schema of now
    expect((await request('GET', '/api/chat/profiles/analyst?registry=goose')).json().runtime.middlewares[1].config).toEqual({ max_tokens: 4096 });
  });

  it('refuses deleting a schema that a registry refusing unknown names relies on, unless forced', async () => {
    const keyed = await request('POST', '/api/chat/profiles', {
      registry: 'strict',
      slug: 'keyed',
      extensions: { 'vendor.custom@v1': { flags: [] } },
    });
    expect(keyed.statusCode, keyed.body).toBe(201);
    const refused = await request('DELETE', '/api/chat/schemas/extensions/vendor.custom@v1');
    const body = expectProblem(refused, 409, /strict\/keyed/);
    expect(body.profiles).toEqual([
      { registry: 'strict', slug: 'keyed', path: '/extensions/vendor.custom@v1', message: 'no schema is registered for extension "vendor.custom@v1"' },
    ]);
    expect((await request('DELETE', '/api/chat/schemas/extensions/vendor.custom@v1?force=true')).statusCode).toBe(204);
    expectProblem(await request('GET', '/api/chat/schemas/extensions/vendor.custom@v1'), 404, 'extension schema not found');
    expect((await request('GET', '/api/chat/schemas/extensions')).json()).toEqual([]);
    const history = (await request('GET', '/api/chat/schemas/extensions/vendor.custom@v1/history')).json();
    expect(history.versions[0]).toMatchObject({ version: 2, type: 'schema.deleted', forced: { broken: [{ registry: 'strict', profile: 'keyed' }] } });
  });

  it('answers the schemas of then with ?as_of=', async () => {
    const history = (await request('GET', '/api/chat/schemas/middlewares/inference/history')).json();
    const firstAt = history.versions.at(-1).at_ms as number;
    const atFirst = middlewareSchemaList.parse((await request('GET', `/api/chat/schemas/middlewares?as_of=${firstAt}`)).json());
    expect(atFirst).toEqual([
      { name: 'inference', version: 1, display_name: 'Inference', description: 'Engine limits', schema: { ...inferenceSchema, properties: { max_tokens: { type: 'integer' } } } },
    ]);
    const iso = new Date(start - 1000).toISOString();
    expect((await request('GET', `/api/chat/schemas/middlewares?as_of=${iso}`)).json()).toEqual([]);
    const extensionsThen = extensionSchemaList.parse(
      (await request('GET', `/api/chat/schemas/extensions?as_of=${history.versions[0].at_ms}`)).json(),
    );
    expect(extensionsThen).toEqual([{ key: 'vendor.custom@v1', schema: flagsSchema }]);
    expectProblem(await request('GET', '/api/chat/schemas/middlewares?as_of=yesterday'), 400, /as_of/);
  });

  it('judges an HTTP import against the schemas too (nothing written), and its export carries the schemas its profiles use', async () => {
    const before = await storeSnapshot(t.store.db);
    const body = { registries: { goose: { profiles: { other: { runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 2000 } }] } } } } } };
    const refused = await t.app.inject({ method: 'POST', url: '/api/registries/goose/import', payload: body });
    const problem = expectProblem(refused, 400, 'validation error (registries.goose.profiles.other.runtime.middlewares[0].config.max_tokens): must be <= 1024');
    expect(problem.errors[0].path).toBe('/registries/goose/profiles/other/runtime/middlewares/0/config/max_tokens');
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    const exported = await t.app.inject({ method: 'GET', url: '/api/registries/goose/export', headers: { accept: 'application/json' } });
    expect(exported.statusCode).toBe(200);
    expect(exported.json().schemas.middlewares.map((item: Json) => [item.name, item.version])).toEqual([
      ['agentmode', 1],
      ['inference', 3],
    ]);
    expect(exported.json().schemas).not.toHaveProperty('extensions');
  });

  it('keeps the schema projection a fold of the events (verify rebuilds it identically)', async () => {
    expect(await verifyProjections(t.store.db)).toEqual([]);
  });
});

describe.each(backends)('restores judged against the schemas of now on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock() });
  });
  afterAll(async () => t?.close());

  it('refuses a profile or registry restore to content the current schema refuses (dry runs too), and writes nothing', async () => {
    const put = (maximum: number) =>
      t.app.inject({ method: 'PUT', url: '/api/chat/schemas/middlewares/inference', payload: { version: 1, schema: { ...inferenceSchema, properties: { max_tokens: { type: 'integer', maximum } } } } });
    expect((await put(4096)).statusCode).toBe(201);
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } });
    const tokens = (max_tokens: number) => ({ runtime: { middlewares: [{ name: 'inference', config: { max_tokens } }] } });
    expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'r', ...tokens(3000) } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/r', payload: tokens(100) })).statusCode).toBe(200);
    expect((await put(1024)).statusCode).toBe(200);

    const before = await storeSnapshot(t.store.db);
    const detail = 'validation error (runtime.middlewares[0].config.max_tokens): must be <= 1024';
    for (const dry_run of [true, false]) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/api/chat/profiles/r/restore', payload: { to_version: 1, dry_run } }), 400, detail);
    }
    // registry version 3: created, r created, r made the default (before the PATCH)
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/registries/default/restore', payload: { to_version: 3 } }),
      400,
      detail,
    );
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });
});

describe.each(backends)('two instances on one %s database', (backend) => {
  it('judges a write by the schemas another instance registered since (its cache is checked against the stream)', async () => {
    const t = await openTestApp(backend);
    try {
      const other = await t.reopen();
      const context = { actor: 'b', source: 'test', request_id: 'r' };
      const profile = (slug: string, maxTokens: number) => ({
        type: 'create_profile' as const,
        registry: 'team',
        slug,
        fields: { runtime: { middlewares: [{ name: 'inference', config: { max_tokens: maxTokens } }] } },
      });
      await other.execute({ type: 'create_registry', registry: 'team' }, context);
      await other.execute(profile('before', 100), context);
      const put = await t.app.inject({ method: 'PUT', url: '/api/chat/schemas/middlewares/inference', payload: { version: 1, schema: inferenceSchema } });
      expect(put.statusCode, put.body).toBe(201);
      await expect(other.execute(profile('after', 9000), context)).rejects.toThrow(
        'validation error (runtime.middlewares[0].config.max_tokens): must be <= 4096',
      );
      await expect(other.execute(profile('valid', 10), context)).resolves.toMatchObject({ events: [{ type: 'profile.created' }] });
    } finally {
      await t.close();
    }
  });
});
