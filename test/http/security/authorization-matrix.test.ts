import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSigningKeys } from '../../../src/domain/signing-keys.js';
import { roleAllows, type RequiredRole } from '../../../src/http/auth/roles.js';
import { SECRETS_REVEALED_HEADER } from '../../../src/http/revealed-secrets.js';
import { describeEachBackend } from '../../support/backends.js';
import { OTHER_REGISTRY, OWN_REGISTRY, writeScopedTokens, type ScopedCaller, type ScopedTokens } from '../../support/scoped-tokens.js';
import { openTestApp, tempDir, type TestApp } from '../../support/test-store.js';
import { TEST_SECRET } from '../../support/transcript.js';

/**
 * Every route of /openapi.json × every caller (no token; reader, runtime, editor, admin, each
 * unlimited and limited to `team-a`) × what the request names (its own registry `team-a`, the
 * other one `team-b`, a missing one). Asserts the status, that a limited token gets for `team-b`
 * exactly the answer of a missing registry, that nothing a limited token gets (body, header, feed
 * frame, log line) names `team-b` or its profiles, and that no answer without `Profile-Secrets:
 * revealed` and no log line carries a secret. A route in /openapi.json without a row in ROUTES fails.
 */

type Target = 'own' | 'other' | 'missing';
type Call = { method: string; url: string; payload?: unknown; headers?: Record<string, string> };

interface RouteRow {
  role: RequiredRole;
  /** What the request names: a registry (404 when missing; outside a limited token's registries too), a schema, or nothing. */
  names: 'registry' | 'schema' | 'nothing';
  /** Changes what every registry shares: an admin without a registries limit only. */
  global?: boolean;
  request: (name: string, n: number) => Call;
  /** Run by the unlimited admin before the request, unless its target is missing (its answer ignored). */
  prepare?: (name: string, n: number) => Call;
  /** The status an allowed caller gets for a missing target (404 unless said). */
  missing?: number;
  /** The status an allowed limited caller gets (for routes that name nothing), when it differs from success. */
  limited?: number;
}

const SECRET_A = 'sk-test-matrix-alpha-0000000000';
const SECRET_B = 'sk-test-matrix-bravo-1111111111';
/** Every name of the other registry: its slug, and each of its own profiles' slugs start with `bravo`. */
const OTHER_NAMES = /team-b|bravo/;
const SIGNING_KEYS = parseSigningKeys('keys:\n  - id: matrix-key\n    secret: a-signing-secret-for-the-matrix\n');

const body = (payload: unknown) => ({ payload });
const schemaName = (target: Target, n: number) => (target === 'own' ? 'mw-one' : target === 'other' ? 'mw-two' : `mw-none-${n}`);
const extensionName = (target: Target, n: number) => (target === 'own' ? 'ext.one@v1' : target === 'other' ? 'ext.two@v1' : `ext.none${n}@v1`);

/** The expected outcome of each route (`METHOD /openapi/{path}`); a route missing here fails the test. */
const ROUTES: Record<string, RouteRow> = {
  'GET /healthz': { role: 'public', names: 'nothing', request: () => ({ method: 'GET', url: '/healthz' }) },
  'GET /readyz': { role: 'public', names: 'nothing', request: () => ({ method: 'GET', url: '/readyz' }) },
  'GET /metrics': { role: 'reader', names: 'nothing', request: () => ({ method: 'GET', url: '/metrics' }) },
  'GET /api/session': { role: 'reader', names: 'nothing', request: () => ({ method: 'GET', url: '/api/session' }) },
  'GET /api/chat/profiles': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/chat/profiles?registry=${r}` }) },
  'POST /api/chat/profiles': {
    role: 'editor',
    names: 'registry',
    request: (r, n) => ({ method: 'POST', url: '/api/chat/profiles', ...body({ registry: r, slug: `new-${n}` }) }),
  },
  'GET /api/chat/profiles/{slug}': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base?registry=${r}` }) },
  'PATCH /api/chat/profiles/{slug}': {
    role: 'editor',
    names: 'registry',
    request: (r, n) => ({ method: 'PATCH', url: `/api/chat/profiles/base?registry=${r}`, ...body({ description: `d${n}` }) }),
  },
  'DELETE /api/chat/profiles/{slug}': {
    role: 'editor',
    names: 'registry',
    prepare: (r, n) => ({ method: 'POST', url: '/api/chat/profiles', ...body({ registry: r, slug: `gone-${n}` }) }),
    request: (r, n) => ({ method: 'DELETE', url: `/api/chat/profiles/gone-${n}?registry=${r}` }),
  },
  'POST /api/chat/profiles/{slug}/default': {
    role: 'editor',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/profiles/base/default', ...body({ registry: r }) }),
  },
  'POST /api/chat/profiles/{slug}/publish': {
    role: 'admin',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/profiles/base/publish', ...body({ registry: r }) }),
  },
  'GET /api/registries': { role: 'reader', names: 'nothing', request: () => ({ method: 'GET', url: '/api/registries' }) },
  'POST /api/registries': {
    role: 'admin',
    names: 'nothing',
    // a limited admin may create no registry: any other than its own is outside its scope
    limited: 404,
    request: (_r, n) => ({ method: 'POST', url: '/api/registries', ...body({ slug: `made-${n}` }) }),
  },
  'GET /api/registries/{registry}': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/registries/${r}` }) },
  'PATCH /api/registries/{registry}': {
    role: 'admin',
    names: 'registry',
    request: (r, n) => ({ method: 'PATCH', url: `/api/registries/${r}`, ...body({ description: `d${n}` }) }),
  },
  'DELETE /api/registries/{registry}': {
    role: 'admin',
    names: 'nothing',
    limited: 404,
    prepare: (_r, n) => ({ method: 'POST', url: '/api/registries', ...body({ slug: `doomed-${n}` }) }),
    request: (_r, n) => ({ method: 'DELETE', url: `/api/registries/doomed-${n}` }),
  },
  'GET /api/registries/{registry}/events': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/registries/${r}/events` }) },
  'GET /api/chat/profiles/{slug}/history': {
    role: 'reader',
    names: 'registry',
    request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base/history?registry=${r}` }),
  },
  'GET /api/chat/profiles/{slug}/diff': {
    role: 'reader',
    names: 'registry',
    request: (r) => ({ method: 'GET', url: `/api/chat/profiles/base/diff?registry=${r}&from=1&to=1` }),
  },
  'POST /api/chat/profiles/{slug}/restore': {
    role: 'admin',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/profiles/base/restore', ...body({ registry: r, to_version: 1, dry_run: true }) }),
  },
  'POST /api/registries/{registry}/restore': {
    role: 'admin',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: `/api/registries/${r}/restore`, ...body({ to_version: 3, dry_run: true }) }),
  },
  'GET /api/chat/resolve': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/chat/resolve?registry=${r}&profile=base` }) },
  'POST /api/chat/resolve': {
    role: 'reader',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/resolve', ...body({ registry: r, profile: 'base' }) }),
  },
  'GET /api/chat/resolve/{slug}': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/chat/resolve/base?registry=${r}` }) },
  'POST /api/chat/resolve/{slug}': {
    role: 'reader',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/resolve/base?require_signed=false', ...body({ registry: r }) }),
  },
  'GET /api/chat/profile': { role: 'editor', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/chat/profile?registry=${r}` }) },
  'POST /api/chat/profile': {
    role: 'editor',
    names: 'registry',
    request: (r) => ({ method: 'POST', url: '/api/chat/profile', ...body({ registry: r, profile: 'base' }) }),
  },
  'GET /api/watch': {
    role: 'reader',
    names: 'registry',
    // the feed of a registry that does not exist (yet) is empty, not an error
    missing: 200,
    request: (r) => ({ method: 'GET', url: `/api/watch?registry=${r}&after=0&wait=0`, headers: { accept: 'application/json' } }),
  },
  'POST /api/registries/{registry}/import': {
    role: 'admin',
    names: 'registry',
    // an import creates the registry it names
    missing: 200,
    request: (r, n) => ({ method: 'POST', url: `/api/registries/${r}/import`, ...body({ slug: r, profiles: { [`imported-${n}`]: { slug: `imported-${n}` } } }) }),
  },
  'GET /api/registries/{registry}/export': { role: 'reader', names: 'registry', request: (r) => ({ method: 'GET', url: `/api/registries/${r}/export` }) },
  'GET /api/chat/schemas/middlewares': { role: 'reader', names: 'nothing', request: () => ({ method: 'GET', url: '/api/chat/schemas/middlewares' }) },
  'GET /api/chat/schemas/middlewares/{name}': {
    role: 'reader',
    names: 'schema',
    request: (s) => ({ method: 'GET', url: `/api/chat/schemas/middlewares/${s}` }),
  },
  'GET /api/chat/schemas/middlewares/{name}/history': {
    role: 'reader',
    names: 'schema',
    request: (s) => ({ method: 'GET', url: `/api/chat/schemas/middlewares/${s}/history` }),
  },
  'PUT /api/chat/schemas/middlewares/{name}': {
    role: 'admin',
    names: 'schema',
    global: true,
    missing: 201,
    request: (s) => ({ method: 'PUT', url: `/api/chat/schemas/middlewares/${s}`, ...body({ version: 1, schema: { type: 'object' } }) }),
  },
  'DELETE /api/chat/schemas/middlewares/{name}': {
    role: 'admin',
    names: 'schema',
    global: true,
    prepare: (s) => ({ method: 'PUT', url: `/api/chat/schemas/middlewares/${s}-tmp`, ...body({ version: 1, schema: { type: 'object' } }) }),
    request: (s) => ({ method: 'DELETE', url: `/api/chat/schemas/middlewares/${s}-tmp` }),
  },
  'GET /api/chat/schemas/extensions': { role: 'reader', names: 'nothing', request: () => ({ method: 'GET', url: '/api/chat/schemas/extensions' }) },
  'GET /api/chat/schemas/extensions/{name}': {
    role: 'reader',
    names: 'schema',
    request: (_s, n) => ({ method: 'GET', url: `/api/chat/schemas/extensions/${extensionName(currentTarget, n)}` }),
  },
  'GET /api/chat/schemas/extensions/{name}/history': {
    role: 'reader',
    names: 'schema',
    request: (_s, n) => ({ method: 'GET', url: `/api/chat/schemas/extensions/${extensionName(currentTarget, n)}/history` }),
  },
  'PUT /api/chat/schemas/extensions/{name}': {
    role: 'admin',
    names: 'schema',
    global: true,
    missing: 201,
    request: (_s, n) => ({ method: 'PUT', url: `/api/chat/schemas/extensions/${extensionName(currentTarget, n)}`, ...body({ schema: { type: 'object' } }) }),
  },
  'DELETE /api/chat/schemas/extensions/{name}': {
    role: 'admin',
    names: 'schema',
    global: true,
    prepare: (_s, n) => ({ method: 'PUT', url: `/api/chat/schemas/extensions/tmp.del${n}@v1`, ...body({ schema: { type: 'object' } }) }),
    request: (_s, n) => ({ method: 'DELETE', url: `/api/chat/schemas/extensions/${currentTarget === 'missing' ? `none.del${n}` : `tmp.del${n}`}@v1` }),
  },
};

/** The target of the request being built (extension keys take no `-`, so they are chosen here). */
let currentTarget: Target = 'own';

type Expected = 'success' | number;

const expectedOutcome = (row: RouteRow, tokens: ScopedTokens, caller: ScopedCaller | 'none', target: Target): Expected => {
  if (row.role === 'public') return 'success';
  if (caller === 'none') return 401;
  if (!roleAllows(tokens.roleOf(caller), row.role)) return 403;
  const limited = tokens.isLimited(caller);
  if (row.global && limited) return 403;
  if (row.names === 'registry' && limited && target !== 'own') return 404;
  if (target === 'missing') return row.missing ?? 404;
  if (limited && row.limited !== undefined) return row.limited;
  return 'success';
};

describeEachBackend('the authorization matrix (%s)', (backend) => {
  let t: TestApp;
  let tokens: ScopedTokens;
  let document: { paths: Record<string, Record<string, unknown>> };
  const dir = tempDir();
  const logLines: string[] = [];
  let n = 0;

  const admin = () => tokens.bearer('admin');
  const send = (call: Call, headers: Record<string, string>) =>
    t.app.inject({
      method: call.method as 'GET',
      url: call.url,
      ...(call.payload === undefined ? {} : { payload: call.payload as object }),
      headers: { ...(call.payload === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers, ...headers },
    });
  const setup = async (call: Call) => {
    const response = await send(call, admin());
    expect(response.statusCode, `${call.method} ${call.url}: ${response.body}`).toBeLessThan(300);
  };

  beforeAll(async () => {
    tokens = writeScopedTokens(dir.dir);
    t = await openTestApp(backend, { signingKeys: SIGNING_KEYS }, { authTokensFile: tokens.file, logStream: { write: (line) => void logLines.push(line) } });
    for (const slug of [OWN_REGISTRY, OTHER_REGISTRY]) await setup({ method: 'POST', url: '/api/registries', payload: { slug } });
    for (const name of ['mw-one', 'mw-two']) {
      await setup({ method: 'PUT', url: `/api/chat/schemas/middlewares/${name}`, payload: { version: 1, schema: { type: 'object' } } });
    }
    for (const key of ['ext.one@v1', 'ext.two@v1']) {
      await setup({ method: 'PUT', url: `/api/chat/schemas/extensions/${key}`, payload: { schema: { type: 'object' } } });
    }
    const secretRuntime = (secret: string, middleware: string) => ({
      step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini', 'openai-api-key': secret } },
      middlewares: [{ name: middleware, config: {} }],
    });
    await setup({ method: 'POST', url: '/api/chat/profiles', payload: { registry: OWN_REGISTRY, slug: 'base', runtime: secretRuntime(SECRET_A, 'mw-one'), extensions: { 'ext.one@v1': {} } } });
    await setup({ method: 'POST', url: '/api/chat/profiles', payload: { registry: OTHER_REGISTRY, slug: 'base', runtime: secretRuntime(SECRET_B, 'mw-two'), extensions: { 'ext.two@v1': {} } } });
    await setup({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: OTHER_REGISTRY, slug: 'bravo-layer', runtime: { middlewares: [{ name: 'mw-two', config: { mode: 'x' } }] } },
    });
    // team-b stacks on team-a: team-a's changes move a team-b fingerprint (the feed must not say so to team-a)
    await setup({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: OTHER_REGISTRY, slug: 'bravo-dependent', stack: [{ registry_slug: OWN_REGISTRY, profile_slug: 'base' }] },
    });
    // a forced schema change that broke a team-b profile: its history records it
    await setup({
      method: 'PUT',
      url: '/api/chat/schemas/middlewares/mw-two',
      payload: { version: 2, schema: { type: 'object', properties: { mode: { type: 'integer' } } }, force: true },
    });
    document = (await send({ method: 'GET', url: '/openapi.json' }, admin())).json();
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('has a row for every route of /openapi.json, and no row for a route it lacks', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.filter((route) => !(route in ROUTES)), 'routes of /openapi.json without a row in ROUTES').toEqual([]);
    expect(Object.keys(ROUTES).filter((route) => !documented.includes(route)), 'rows of ROUTES for no route').toEqual([]);
  });

  it('answers every caller as its token allows, and tells a limited token nothing of the other registry', async () => {
    const callers: (ScopedCaller | 'none')[] = ['none', ...tokens.callers];
    const failures: string[] = [];
    const fail = (message: string) => failures.push(message);
    for (const [route, row] of Object.entries(ROUTES)) {
      const targets: Target[] = row.names === 'nothing' ? ['own'] : ['own', 'other', 'missing'];
      for (const caller of callers) {
        const answers = new Map<Target, LightMyRequestResponse>();
        for (const target of targets) {
          n += 1;
          currentTarget = target;
          const name =
            row.names === 'schema'
              ? schemaName(target, n)
              : target === 'own'
                ? OWN_REGISTRY
                : target === 'other'
                  ? OTHER_REGISTRY
                  : `nowhere-${n}`;
          if (row.prepare && target !== 'missing') await send(row.prepare(name, n), admin());
          const call = row.request(name, n);
          const logFrom = logLines.length;
          const response = await send(call, caller === 'none' ? {} : tokens.bearer(caller));
          answers.set(target, response);
          const where = `${route} as ${caller} on ${target} (${call.method} ${call.url})`;
          const want = expectedOutcome(row, tokens, caller, target);
          const status = response.statusCode;
          if (want === 'success' ? status >= 400 : status !== want) fail(`${where}: ${status}, expected ${want}: ${response.body.slice(0, 300)}`);
          if (status >= 400 && !String(response.headers['content-type']).includes('application/problem+json')) fail(`${where}: a refusal that is not problem+json`);
          const revealed = response.headers[SECRETS_REVEALED_HEADER.toLowerCase()] !== undefined;
          const logs = logLines.slice(logFrom);
          if (!revealed && TEST_SECRET.test(response.body)) fail(`${where}: the answer shows a secret`);
          if (logs.some((line) => TEST_SECRET.test(line))) fail(`${where}: a log line shows a secret`);
          if (caller !== 'none' && tokens.isLimited(caller)) {
            if (OTHER_NAMES.test(response.body)) fail(`${where}: the answer names the other registry: ${response.body.slice(0, 300)}`);
            if (OTHER_NAMES.test(JSON.stringify(response.headers))) fail(`${where}: a header names the other registry`);
            // the request's own URL is in its log lines: only what the server adds counts
            const added = logs.map((line) => line.split(JSON.stringify(call.url).slice(1, -1)).join(''));
            const named = added.find((line) => OTHER_NAMES.test(line));
            if (named !== undefined) fail(`${where}: a log line names the other registry: ${named}`);
          }
        }
        // outside its registries, a limited token gets exactly what a missing registry answers
        if (row.names === 'registry' && caller !== 'none' && tokens.isLimited(caller)) {
          const other = answers.get('other')!;
          const missing = answers.get('missing')!;
          const seen = (response: LightMyRequestResponse) => ({ status: response.statusCode, body: response.body.replace(/nowhere-\d+/g, '…') });
          if (JSON.stringify(seen(other)) !== JSON.stringify(seen(missing))) {
            fail(`${route} as ${caller}: the other registry answers ${other.statusCode} ${other.body}, a missing one ${missing.statusCode} ${missing.body}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
