import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * Parameters are parsed once, by the route's schema: every query, path and header parameter that
 * /openapi.json constrains (a pattern, an enum, bounds) is refused with a 400 problem+json naming
 * it when a value outside the constraint is sent, on every operation that declares it, before the
 * handler runs (nothing is written).
 */

type Parameter = { name: string; in: 'query' | 'path' | 'header'; schema?: { pattern?: string; enum?: unknown[]; minimum?: number; maximum?: number } };
type Operation = { parameters?: Parameter[]; requestBody?: unknown };
type Document = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp('sqlite');
  await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } });
  await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { slug: 'writer', description: 'a' } });
});
afterAll(async () => t?.close());

/** A value the parameter's schema does not allow. */
const outside = (parameter: Parameter): string | undefined => {
  const schema = parameter.schema ?? {};
  if (schema.enum !== undefined) return 'not-one-of-them';
  if (schema.pattern !== undefined) {
    const candidate = 'x1';
    expect(new RegExp(schema.pattern).test(candidate), `${parameter.name}: ${schema.pattern}`).toBe(false);
    return candidate;
  }
  if (schema.maximum !== undefined) return String(schema.maximum + 1);
  if (schema.minimum !== undefined) return String(schema.minimum - 1);
  return undefined;
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
};

it('refuses, on every operation, a value outside each constrained parameter with a 400 problem+json naming it', async () => {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  const before = await storeSnapshot(t.store.db);
  const checked: string[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const parameter of operation.parameters ?? []) {
        const value = outside(parameter);
        if (value === undefined) continue;
        let path = template;
        const pathValues = template.includes('/extensions/') ? { ...PATH_VALUES, name: 'vendor.custom@v1' } : PATH_VALUES;
        for (const [name, ordinary] of Object.entries(pathValues)) path = path.replace(`{${name}}`, name === parameter.name && parameter.in === 'path' ? value : ordinary);
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
        expect(answer.body.toLowerCase(), where).toContain(parameter.name.toLowerCase());
        checked.push(`${method} ${template} ${parameter.name}`);
      }
    }
  }
  // the parameters of versions, positions, limits, times and flags are all constrained
  for (const name of ['expected_version', 'version', 'after', 'limit', 'before_version', 'from', 'to', 'wait', 'reveal', 'require_signed', 'force']) {
    expect(checked.some((each) => each.endsWith(` ${name}`)), name).toBe(true);
  }
  expect(checked.length).toBeGreaterThan(30);
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
});
