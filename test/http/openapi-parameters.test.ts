import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * Parameters are parsed once, by the route's schema: every query, path and header parameter that
 * /openapi.json constrains (a pattern, an enum, integer bounds, a length, JSON content, or none
 * allowed at all) is refused with a 400 problem+json naming it when a value outside each
 * constraint is sent, on every operation that declares it, before the handler runs (nothing is
 * written).
 */

type ParameterSchema = {
  type?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  contentMediaType?: string;
  not?: object;
};
type Parameter = { name: string; in: 'query' | 'path' | 'header'; schema?: ParameterSchema };
type Operation = { parameters?: Parameter[]; requestBody?: unknown };
type Document = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp('sqlite');
  await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } });
  await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'writer', description: 'a' } });
});
afterAll(async () => t?.close());

/** Values that break a pattern: the first one the pattern refuses is sent. */
const PATTERN_BREAKERS = ['x1', '!', ' '];

/** Values the parameter's schema does not allow: one for each constraint it declares. */
const outside = (parameter: Parameter): string[] => {
  const schema = parameter.schema ?? {};
  const values: string[] = [];
  if (schema.not !== undefined) values.push('x');
  if (schema.enum !== undefined) values.push('not-one-of-them');
  if (schema.pattern !== undefined) {
    const breaker = PATTERN_BREAKERS.find((candidate) => !new RegExp(schema.pattern as string).test(candidate));
    expect(breaker, `${parameter.name}: ${schema.pattern}`).toBeDefined();
    values.push(breaker as string);
  }
  if (schema.type === 'integer') values.push('x1', '1.5');
  if (schema.maximum !== undefined) values.push(String(schema.maximum + 1));
  if (schema.minimum !== undefined) values.push(String(schema.minimum - 1));
  if (schema.minLength !== undefined && schema.minLength > 0) values.push(' '.repeat(schema.minLength - 1));
  if (schema.maxLength !== undefined) values.push('x'.repeat(schema.maxLength + 1));
  if (schema.contentMediaType === 'application/json') values.push('{not json');
  return values;
};

/** A path parameter's ordinary value, so that only the parameter under test is wrong. */
const PATH_VALUES: Record<string, string> = { registry: 'default', slug: 'writer', name: 'inference' };

/** Query parameters a route needs (a diff's two versions), given their ordinary value when not under test. */
const NEEDED_QUERY: Record<string, string> = { from: '1', to: '1' };

/** A body its schema accepts (`{}` unless a field is required), so that only the parameter under test is wrong. */
const BODIES: Record<string, unknown> = {
  'post /api/chat/profiles': { slug: 'fresh' },
  'post /api/registries': { slug: 'fresh' },
  'post /api/chat/profiles/{slug}/restore': { to_version: 1 },
  'put /api/chat/schemas/middlewares/{name}': { version: 1, schema: {} },
  'put /api/chat/schemas/extensions/{name}': { schema: {} },
};

it('refuses, on every operation, a value outside each constrained parameter with a 400 problem+json naming it', async () => {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  const before = await storeSnapshot(t.store.db);
  const checked: string[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const parameter of operation.parameters ?? []) for (const value of outside(parameter)) {
        let path = template;
        const pathValues = template.includes('/extensions/') ? { ...PATH_VALUES, name: 'vendor.custom@v1' } : PATH_VALUES;
        for (const [name, ordinary] of Object.entries(pathValues)) {
          path = path.replace(`{${name}}`, encodeURIComponent(name === parameter.name && parameter.in === 'path' ? value : ordinary));
        }
        const query = new URLSearchParams();
        for (const other of operation.parameters ?? []) {
          if (other.in === 'query' && other.name !== parameter.name && NEEDED_QUERY[other.name] !== undefined) query.set(other.name, NEEDED_QUERY[other.name]);
        }
        if (parameter.in === 'query') query.set(parameter.name, value);
        const url = query.size > 0 ? `${path}?${query}` : path;
        const headers: Record<string, string> = { accept: 'application/json' };
        if (parameter.in === 'header') headers[parameter.name] = value;
        const withBody = operation.requestBody !== undefined;
        const answer = await t.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
          ...(withBody ? { payload: JSON.stringify(BODIES[`${method} ${template}`] ?? {}) } : {}),
        });
        const where = `${method.toUpperCase()} ${url} (${parameter.in} ${parameter.name})`;
        expect(answer.statusCode, `${where}: ${answer.body}`).toBe(400);
        expect(answer.headers['content-type'], where).toContain('application/problem+json');
        // a profile slug is refused as one (invalid-slug) wherever it is named; every other refusal names its parameter
        const named = answer.body.toLowerCase().includes(parameter.name.toLowerCase()) || answer.body.includes('/problems/invalid-slug"');
        expect(named, `${where}: ${answer.body}`).toBe(true);
        checked.push(`${method} ${template} ${parameter.name}=${value}`);
      }
    }
  }
  // the parameters of versions, positions, limits, times, flags, slugs, registry selectors, cursors and searches are all constrained
  const names = ['expected_version', 'version', 'after', 'limit', 'before_version', 'from', 'to', 'wait', 'reveal', 'require_signed', 'force'];
  names.push('as_of', 'since', 'until', 'cursor', 'q', 'contains', 'registry', 'slug', 'name', 'profile', 'runtime', 'registry_slug', 'runtime_key', 'last-event-id');
  names.push('idempotency-key', 'x-actor');
  for (const name of names) expect(checked.some((each) => each.includes(` ${name}=`)), name).toBe(true);
  // out of range as well as malformed: a version past the largest integer, a page of 1001, a position below 0
  for (const sent of ['expected_version=9007199254740992', 'version=0', 'limit=1001', 'after=-1', `idempotency-key=${'x'.repeat(256)}`, 'idempotency-key=']) {
    expect(checked.some((each) => each.endsWith(` ${sent}`)), sent).toBe(true);
  }
  expect(checked.length).toBeGreaterThan(150);
  expect(await storeSnapshot(t.store.db)).toEqual(before);
});

type BodySchema = { properties?: Record<string, ParameterSchema> };
type BodyOperation = Operation & { requestBody?: { content?: Record<string, { schema?: BodySchema }> } };

/** JSON values a body field's schema does not allow: one for each constraint it declares. */
const outsideInBody = (field: ParameterSchema & { anyOf?: ParameterSchema[] }): unknown[] => {
  // a nullable field: the constraints of its non-null form
  const schema = field.anyOf?.find((each) => each.type !== 'null') ?? field;
  const values: unknown[] = [];
  if (schema.pattern !== undefined) values.push(PATTERN_BREAKERS.find((candidate) => !new RegExp(schema.pattern as string).test(candidate)));
  if (schema.type === 'integer') values.push('x1', 1.5);
  if (schema.minimum !== undefined) values.push(schema.minimum - 1);
  return values;
};

it('refuses, in every JSON body, a value outside each constrained top-level field with a 400 problem+json naming it', async () => {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, BodyOperation>> };
  const before = await storeSnapshot(t.store.db);
  const checked: string[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const properties = operation.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      const pathValues = template.includes('/extensions/') ? { ...PATH_VALUES, name: 'vendor.custom@v1' } : PATH_VALUES;
      let url = template;
      for (const [name, ordinary] of Object.entries(pathValues)) url = url.replace(`{${name}}`, ordinary);
      for (const [field, schema] of Object.entries(properties)) for (const value of outsideInBody(schema)) {
        const base = (BODIES[`${method} ${template}`] ?? {}) as Record<string, unknown>;
        const answer = await t.app.inject({ method: method.toUpperCase() as 'POST', url, payload: { ...base, [field]: value } });
        const where = `${method.toUpperCase()} ${url} (body ${field}: ${JSON.stringify(value)})`;
        expect(answer.statusCode, `${where}: ${answer.body}`).toBe(400);
        expect(answer.headers['content-type'], where).toContain('application/problem+json');
        // a slug is refused as one (invalid-slug, invalid-registry); every other refusal names its field
        const named = answer.body.includes(field) || /\/problems\/invalid-(slug|registry)"/.test(answer.body);
        expect(named, `${where}: ${answer.body}`).toBe(true);
        checked.push(`${method} ${template} ${field}=${JSON.stringify(value)}`);
      }
    }
  }
  for (const field of ['registry', 'slug', 'expected_version', 'to_version', 'default_profile_slug', 'profile', 'registry_slug', 'runtime_key']) {
    expect(checked.some((each) => each.includes(` ${field}=`)), field).toBe(true);
  }
  expect(await storeSnapshot(t.store.db)).toEqual(before);
});

it('hands handlers typed values: a valid version, limit and position are answered as before', async () => {
  const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/writer?expected_version=1', payload: { description: 'b' } });
  expect(patched.statusCode, patched.body).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/api/chat/profiles/writer?version=1' })).json().description).toBe('a');
  const page = (await t.app.inject({ method: 'GET', url: '/api/registries/default/events?after=0&limit=1' })).json();
  expect(page.events).toHaveLength(1);
  const history = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles/writer/history?limit=1&before_version=2' })).json();
  expect(history.versions.map((each: { version: number }) => each.version)).toEqual([1]);
  const diff = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles/writer/diff?from=1&to=2' })).json();
  expect(diff).toMatchObject({ from: 1, to: 2 });
  const refused = await t.app.inject({ method: 'DELETE', url: '/api/chat/profiles/writer?expected_version=-1' });
  expect(refused.json().detail).toBe('invalid expected_version');
  const poll = await t.app.inject({ method: 'GET', url: '/api/watch?after=0&wait=0', headers: { accept: 'application/json' } });
  expect(poll.json().changes.length).toBeGreaterThan(0);
  // slugs come trimmed and lower-cased, a cursor decoded, a search normalized
  expect((await t.app.inject({ method: 'GET', url: '/api/chat/profiles/%20Writer%20?registry=DEFAULT' })).json().slug).toBe('writer');
  await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'zeta-writer', description: 'z' } });
  const first = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles?limit=1&q=%20WRIT' })).json();
  expect(first.items.map((each: { slug: string }) => each.slug)).toEqual(['writer']);
  const rest = (await t.app.inject({ method: 'GET', url: `/api/chat/profiles?q=writ&cursor=${first.next_cursor}` })).json();
  expect(rest).toMatchObject({ items: [{ slug: 'zeta-writer' }], next_cursor: null });
  const restored = await t.app.inject({ method: 'POST', url: '/api/chat/profiles/writer/restore', payload: { to_version: 1, dry_run: true } });
  expect(restored.json().changes.length).toBeGreaterThan(0);
});

it('answers pinocchio\'s retired selectors with 400, even empty, and a cursor it never gave with 400 naming it', async () => {
  for (const url of ['/api/chat/resolve/writer?registry_slug=', '/api/chat/resolve?runtime_key=writer']) {
    const answer = await t.app.inject({ method: 'GET', url });
    expect(answer.statusCode, url).toBe(400);
    expect(answer.json().detail).toMatch(/^unsupported legacy selector: (registry_slug|runtime_key)$/);
  }
  const body = await t.app.inject({ method: 'POST', url: '/api/chat/resolve', payload: { registry_slug: 'default' } });
  expect(body.json().detail).toBe('unsupported legacy selector: registry_slug');
  const forged = Buffer.from(JSON.stringify({ slug: 'writer' })).toString('base64url');
  const refused = await t.app.inject({ method: 'GET', url: `/api/chat/profiles?cursor=${forged}` });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().detail).toBe('validation error (cursor): not a cursor of this list (use next_cursor of the previous page)');
});

it('takes a version in a body as an integer or as its digits, both as /openapi.json documents them', async () => {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, BodyOperation>> };
  const forms = (template: string, method: string, field: string) =>
    ((document.paths[template][method].requestBody?.content?.['application/json']?.schema?.properties?.[field] ?? {}) as { anyOf?: ParameterSchema[] }).anyOf ?? [];
  for (const [template, method, field] of [
    ['/api/chat/profiles/{slug}', 'patch', 'expected_version'],
    ['/api/chat/profiles/{slug}/restore', 'post', 'to_version'],
    ['/api/registries/{registry}/restore', 'post', 'to_version'],
  ]) {
    const documented = forms(template, method, field);
    expect(documented.find((each) => each.type === 'integer'), `${method} ${template} ${field}`).toBeDefined();
    const digits = documented.find((each) => each.type === 'string');
    expect(new RegExp(digits?.pattern as string).test(' 12 '), `${method} ${template} ${field}`).toBe(true);
  }
  await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'digits', description: 'one' } });
  const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/digits', payload: { description: 'two', expected_version: ' 1 ' } });
  expect(patched.statusCode, patched.body).toBe(200);
  // the digits are the version they spell: 1 is stale now
  const stale = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/digits', payload: { description: 'three', expected_version: '1' } });
  expect(stale.statusCode, stale.body).toBe(409);
  const restored = await t.app.inject({ method: 'POST', url: '/api/chat/profiles/digits/restore', payload: { to_version: '1' } });
  expect(restored.statusCode, restored.body).toBe(200);
  expect(restored.json()).toMatchObject({ description: 'one', metadata: { version: 3 } });
});

it('hands the write helpers parsed headers: a trimmed Idempotency-Key replays, If-Match is a list of tags, X-Actor is trimmed', async () => {
  const created = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': '  keyed ', 'x-actor': '  ada  ' }, payload: { slug: 'keyed' } });
  expect(created.statusCode, created.body).toBe(201);
  const again = await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': 'keyed' }, payload: { slug: 'keyed' } });
  expect(again.statusCode, again.body).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  const history = (await t.app.inject({ method: 'GET', url: '/api/chat/profiles/keyed/history' })).json();
  expect(history.versions.map((each: { actor: string }) => each.actor)).toEqual(['ada']);
  const etag = created.headers.etag as string;
  const guarded = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/keyed', headers: { 'if-match': `"0-other", ${etag}` }, payload: { description: 'b' } });
  expect(guarded.statusCode, guarded.body).toBe(200);
  const stale = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/keyed', headers: { 'if-match': `"0-other", ${etag}` }, payload: { description: 'c' } });
  expect(stale.statusCode, stale.body).toBe(412);
});
