import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describeEachBackend } from '../support/backends.js';
import { runTracked } from '../support/child-processes.js';
import { BUNDLE, fileState } from '../support/cli-files.js';
import { runCli } from '../support/run-cli.js';
import { freePort } from '../support/server-process.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

const PINOCCHIO_KEY = 'sk-test-pinocchio-openai-key';
const ENGINE_OPENAI_KEY = 'sk-test-engine-openai-key';
const ENGINE_CLAUDE_KEY = 'sk-test-engine-claude-key';
const ENGINE_FIREWORKS_KEY = 'sk-test-engine-fireworks-key';
const ENGINE_KEYS = [ENGINE_OPENAI_KEY, ENGINE_CLAUDE_KEY, ENGINE_FIREWORKS_KEY];

/**
 * geppetto's SQLite profile store (pkg/profiles/sqlite_store.go, as pinocchio web-chat runs it
 * with --profile-registry-db): this DDL, WAL mode, one row per registry whose payload_json is
 * Go's json.Marshal of the registry (fields in struct order, empty ones left out, except the
 * policy's booleans and the runtime and metadata objects, which Go always writes).
 */
const DDL = `PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS profile_registries (
    slug TEXT PRIMARY KEY,
    payload_json TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL DEFAULT 0
);`;

const DEFAULT_REGISTRY = {
  slug: 'default',
  display_name: 'Default',
  default_profile_slug: 'analyst',
  profiles: {
    analyst: {
      slug: 'analyst',
      display_name: 'Analyst',
      description: 'Reads numbers',
      stack: [{ profile_slug: 'base' }],
      runtime: {
        step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini' }, 'openai-chat': { 'openai-api-key': PINOCCHIO_KEY } },
        system_prompt: 'You are an analyst',
        middlewares: [{ name: 'agentmode', id: 'primary', enabled: true, config: { default_mode: 'chat' } }],
        tools: ['search'],
      },
      policy: { allow_overrides: true, allowed_override_keys: ['ai-temperature'], read_only: false },
      metadata: { source: 'http-api', version: 7, created_at_ms: 1771880000000, updated_at_ms: 1771880500000, created_by: 'alice', updated_by: 'bob', tags: ['team-a'] },
      extensions: { 'vendor.custom@v1': { flags: [{ enabled: true }] } },
    },
    base: {
      slug: 'base',
      runtime: { system_prompt: 'Be brief' },
      policy: { allow_overrides: false, read_only: true },
      metadata: { version: 2, created_at_ms: 1771880000000, updated_at_ms: 1771880100000 },
    },
  },
  metadata: { version: 11, created_at_ms: 1771880000000, updated_at_ms: 1771880500000, created_by: 'alice', updated_by: 'bob' },
};

// written by geppetto after March 17 2026: no policy, no step_settings_patch; the payload's slug left empty
const TEAM_REGISTRY = {
  slug: '',
  profiles: { writer: { slug: 'writer', runtime: { system_prompt: 'Write well', tools: ['spell'] }, metadata: { version: 1 } } },
  metadata: { version: 1 },
};

/**
 * geppetto's engine profiles (pkg/engineprofiles since March 2026): `inference_settings` is its
 * InferenceSettings as Go's json.Marshal writes it. Its structs have no JSON tags (but Inference
 * and ModelInfo), so keys are Go field names; nil pointers and maps are null, value fields are
 * written at their zero value; a nil section is null. Runtime parts sit in pinocchio's extension.
 */
const goChat = (chat: Record<string, unknown>) => ({
  Engine: null, ApiType: null, MaxResponseTokens: null, TopP: null, Temperature: null, Stop: null, APIKeys: null, Stream: false,
  CacheType: '', CacheMaxSize: 0, CacheMaxEntries: 0, CacheDirectory: '',
  StructuredOutputMode: '', StructuredOutputName: '', StructuredOutputDescription: '', StructuredOutputSchema: '',
  StructuredOutputStrict: null, StructuredOutputRequireValid: false,
  ...chat,
});
const goSettings = (settings: Record<string, unknown>) => ({
  API: null, Chat: null, OpenAI: null, Client: null, Claude: null, Gemini: null, Ollama: null, Embeddings: null, Rerank: null, Inference: null, ModelInfo: null,
  ...settings,
});
const ENGINES_REGISTRY = {
  slug: 'engines',
  default_profile_slug: 'gpt',
  profiles: {
    gpt: {
      slug: 'gpt',
      display_name: 'GPT',
      inference_settings: goSettings({
        API: {
          APIKeys: { 'openai-api-key': ENGINE_OPENAI_KEY, 'fireworks-api-key': ENGINE_FIREWORKS_KEY },
          BaseUrls: { 'openai-base-url': 'https://api.openai.com/v1', 'fireworks-base-url': 'https://api.fireworks.ai/inference/v1' },
          AllowHTTP: null,
          AllowLocalNetworks: {},
        },
        Chat: goChat({ Engine: 'gpt-4o-mini', ApiType: 'openai', MaxResponseTokens: 4096, Temperature: 0, Stop: ['END'] }),
        OpenAI: {
          N: null, PresencePenalty: null, FrequencyPenalty: null, LogitBias: null, ReasoningEffort: 'low', ThinkingType: null, ChatReasoningEffort: null,
          ParallelToolCalls: false, ReasoningSummary: null, IncludeReasoningEncrypted: null, StreamIncludeUsage: null,
        },
        Client: { Timeout: 60_000_000_000, TimeoutSeconds: null, Organization: null, UserAgent: null, ProxyURL: null, ProxyFromEnvironment: null },
        Inference: { temperature: 0.3 },
        ModelInfo: { context_window: 128000, cost: { input: 0.15, output: 0.6 } },
      }),
      metadata: { version: 3, created_at_ms: 1771880000000, updated_at_ms: 1771880300000 },
      extensions: {
        'pinocchio.webchat_runtime@v1': { system_prompt: 'You are GPT', middlewares: [{ name: 'agentmode', config: { default_mode: 'chat' } }], tools: ['search'] },
        'webchat.starter_suggestions@v1': { items: ['Summarize'] },
      },
    },
    claude: {
      slug: 'claude',
      stack: [{ profile_slug: 'gpt' }],
      inference_settings: goSettings({
        API: { APIKeys: { 'claude-api-key': ENGINE_CLAUDE_KEY }, BaseUrls: { 'claude-base-url': 'https://api.anthropic.com' }, AllowHTTP: null, AllowLocalNetworks: null },
        Chat: goChat({ Engine: 'claude-sonnet-4', ApiType: 'claude', MaxResponseTokens: 8192, Temperature: 0.7 }),
        Claude: { TopK: 40, UserID: null },
      }),
      metadata: { version: 1 },
    },
  },
  metadata: { version: 4 },
};

/** A payload as an SQL literal: a value as its JSON, a string as it is (to store a broken payload). */
const sqlText = (value: unknown): string => `'${(typeof value === 'string' ? value : JSON.stringify(value)).replaceAll("'", "''")}'`;

/** Makes a pinocchio database with the sqlite3 shell, the way geppetto's store makes and fills it. */
const makePinocchioDatabase = async (dir: string, name: string, rows: [string, unknown][]): Promise<string> => {
  const path = join(dir, name);
  const script = join(dir, `${name}.sql`);
  const inserts = rows.map(([slug, payload]) => `INSERT INTO profile_registries (slug, payload_json, updated_at_ms) VALUES ('${slug}', ${sqlText(payload)}, 1771880500000);`);
  writeFileSync(script, `${DDL}\n${inserts.join('\n')}\n`);
  const made = await runTracked('sqlite3', [path, `.read ${script}`]);
  expect(made.code, made.stderr).toBe(0);
  return path;
};

describeEachBackend('migrate-pinocchio into %s', (backend) => {
  const { dir, remove } = tempDir();
  let t: TestApp;
  let pinocchio: string;
  const cli = (...args: string[]) => runCli([...args, ...t.cliDatabaseArgs]);
  const profile = async (registry: string, slug: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=${registry}` })).json();

  beforeAll(async () => {
    t = await openTestApp(backend);
    pinocchio = await makePinocchioDatabase(dir, 'pinocchio.db', [
      ['default', DEFAULT_REGISTRY],
      ['team', TEAM_REGISTRY],
      ['engines', ENGINES_REGISTRY],
    ]);
  });
  afterAll(async () => {
    await t.close();
    remove();
  });

  it('--dry-run prints what it would import, secrets masked, and writes nothing to either database', async () => {
    const before = await storeSnapshot(t.store.db);
    const pinocchioBefore = fileState(pinocchio);
    const run = await cli('migrate-pinocchio', '--from', pinocchio, '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(`From: ${pinocchio}\nRegistries: 3\nProfiles: 5\nDry run: nothing written\n`);
    for (const key of [PINOCCHIO_KEY, ...ENGINE_KEYS]) expect(run.stdout).not.toContain(key);
    const preview = parseYaml(run.stdout);
    expect(preview.registries.default.profiles.analyst.runtime.step_settings_patch['openai-chat']['openai-api-key']).toBe('***');
    expect(preview.registries.default.profiles.analyst.metadata.tags).toEqual(['team-a', 'pinocchio-version:7']);
    expect(preview.registries.engines.profiles.gpt.runtime.step_settings_patch['openai-chat']).toEqual({
      'openai-api-key': '***',
      'openai-base-url': 'https://api.openai.com/v1',
      'openai-reasoning-effort': 'low',
      'openai-parallel-tool-calls': false,
    });
    expect(await storeSnapshot(t.store.db)).toEqual(before);
    expect(fileState(pinocchio)).toEqual(pinocchioBefore);
  });

  it('imports every registry and profile as events by actor migration, keeps the old versions as tags, and verify passes', async () => {
    const pinocchioBefore = fileState(pinocchio);
    const run = await cli('migrate-pinocchio', '--from', pinocchio);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^From: .*\nRegistries: 3\nProfiles: 5\nInto: .*\nRegistry default: 2 profiles, \d+ events, now at version \d+\nRegistry engines: 2 profiles, \d+ events, now at version \d+\nRegistry team: 1 profiles, \d+ events, now at version \d+\nEvents: \d+ \(actor migration\)\n$/);
    expect(fileState(pinocchio)).toEqual(pinocchioBefore);

    const analyst = await profile('default', 'analyst');
    expect(analyst).toMatchObject({
      registry: 'default',
      slug: 'analyst',
      display_name: 'Analyst',
      description: 'Reads numbers',
      stack: [{ profile_slug: 'base' }],
      runtime: {
        step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini' }, 'openai-chat': { 'openai-api-key': '***' } },
        system_prompt: 'You are an analyst',
        middlewares: [{ name: 'agentmode', id: 'primary', enabled: true, config: { default_mode: 'chat' } }],
        tools: ['search'],
      },
      policy: { allow_overrides: true, allowed_override_keys: ['ai-temperature'], denied_override_keys: [], read_only: false },
      extensions: { 'vendor.custom@v1': { flags: [{ enabled: true }] } },
      is_default: true,
    });
    // the server owns the metadata of the new history; pinocchio's version stays as a tag
    expect(analyst.metadata).toMatchObject({ version: 1, source: 'migration', created_by: 'migration', updated_by: 'migration', tags: ['team-a', 'pinocchio-version:7'] });
    expect((await profile('default', 'base')).policy).toMatchObject({ allow_overrides: false, read_only: true });
    expect((await profile('default', 'base')).metadata.tags).toEqual(['pinocchio-version:2']);
    expect(await profile('team', 'writer')).toMatchObject({ runtime: { system_prompt: 'Write well', tools: ['spell'] }, is_default: true });

    // geppetto's engine profiles: each glazed value in its section, what has no glazed field in an extension, secrets "***"
    const gpt = await profile('engines', 'gpt');
    expect(gpt).toMatchObject({ display_name: 'GPT', is_default: true, metadata: { version: 1, tags: ['pinocchio-version:3'] } });
    expect(gpt.runtime).toEqual({
      step_settings_patch: {
        'ai-chat': { 'ai-engine': 'gpt-4o-mini', 'ai-api-type': 'openai', 'ai-max-response-tokens': 4096, 'ai-temperature': 0, 'ai-stop': ['END'] },
        'openai-chat': {
          'openai-api-key': '***',
          'openai-base-url': 'https://api.openai.com/v1',
          'openai-reasoning-effort': 'low',
          'openai-parallel-tool-calls': false,
        },
        'ai-client': { timeout: 60 },
        'ai-inference': { 'inference-temperature': 0.3 },
      },
      // pinocchio's runtime extension, moved where this registry keeps a runtime
      system_prompt: 'You are GPT',
      middlewares: [{ name: 'agentmode', enabled: true, config: { default_mode: 'chat' } }],
      tools: ['search'],
    });
    expect(gpt.extensions).toEqual({
      'webchat.starter_suggestions@v1': { items: ['Summarize'] },
      'geppetto.inference_settings@v1': {
        // `api_keys` names a secret: the whole map reads "***"
        api: { api_keys: '***', base_urls: { 'fireworks-base-url': 'https://api.fireworks.ai/inference/v1' } },
        model_info: { context_window: 128000, cost: { input: 0.15, output: 0.6 } },
      },
    });
    const claude = await profile('engines', 'claude');
    expect(claude).toMatchObject({ stack: [{ profile_slug: 'gpt' }], metadata: { tags: ['pinocchio-version:1'] } });
    expect(claude.runtime.step_settings_patch).toEqual({
      'ai-chat': { 'ai-engine': 'claude-sonnet-4', 'ai-api-type': 'claude', 'ai-max-response-tokens': 8192, 'ai-temperature': 0.7 },
      'claude-chat': { 'claude-api-key': '***', 'claude-base-url': 'https://api.anthropic.com', 'claude-top-k': 40 },
    });
    // the stack merges as geppetto's did: the layer's engine over gpt's, gpt's OpenAI settings kept
    const resolved = (await t.app.inject({ method: 'GET', url: '/api/chat/resolve/claude?registry=engines' })).json();
    expect(resolved.runtime.step_settings_patch['ai-chat']).toMatchObject({ 'ai-engine': 'claude-sonnet-4', 'ai-stop': ['END'] });
    // the keys themselves are kept
    const exported = await cli('export', '--registry', 'engines', '--include-secrets');
    expect(exported.code, exported.stderr).toBe(0);
    for (const key of ENGINE_KEYS) expect(exported.stdout).toContain(key);

    const history = await cli('history', '--registry', 'default');
    const actors = history.stdout.trim().split('\n').map((line) => line.split('\t')[3]);
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set(['migration']));

    const verify = await cli('verify');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^verify ok: /);
  });

  it('run again, finds nothing to change and appends nothing', async () => {
    const before = await storeSnapshot(t.store.db);
    const run = await cli('migrate-pinocchio', '--from', pinocchio);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Events: 0 (actor migration)');
    expect(await storeSnapshot(t.store.db)).toEqual(before);
  });
});

describe('migrate-pinocchio --signing-keys-file', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());

  it('seals every event it writes with the signing key: verify with the keys accepts them, every seal an HMAC', async () => {
    const pinocchio = await makePinocchioDatabase(dir, 'pinocchio.db', [['default', DEFAULT_REGISTRY]]);
    const keysFile = join(dir, 'keys.yaml');
    writeFileSync(keysFile, 'keys:\n  - id: ops-2026\n    secret: a-long-enough-signing-secret\n', { mode: 0o600 });
    const target = join(dir, 'keyed.db');
    const run = await runCli(['migrate-pinocchio', '--from', pinocchio, '--signing-keys-file', keysFile, '--profile-registry-db', target]);
    expect(run.code, run.stderr).toBe(0);
    const verify = await runCli(['verify', '--signing-keys-file', keysFile, '--profile-registry-db', target]);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toMatch(/^verify ok: .*every seal an HMAC of a listed key/);
    // the same migration without keys writes SHA-256 seals, which the keys refuse
    const unkeyed = join(dir, 'unkeyed.db');
    expect((await runCli(['migrate-pinocchio', '--from', pinocchio, '--profile-registry-db', unkeyed])).code).toBe(0);
    const refused = await runCli(['verify', '--signing-keys-file', keysFile, '--profile-registry-db', unkeyed]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('its seal is a plain SHA-256 digest, not an HMAC of a listed key');
  });
});

describe('migrate-pinocchio refuses what it cannot read, with one line, writing nothing', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());
  const target = () => join(dir, 'target', 'profiles.db');

  it.each([
    ['a payload that is not JSON', [['default', '{"slug": "default", ']], /profile_registries row "default": payload_json is not JSON/],
    ['a payload whose slug is another', [['default', { slug: 'other', profiles: {} }]], /payload slug "other" does not match the row/],
    [
      'an inference_settings field geppetto does not have',
      [['default', { slug: 'default', profiles: { a: { slug: 'a', inference_settings: { Chat: { Engine: 'gpt-4o', Flavour: ENGINE_OPENAI_KEY } } } } }]],
      /profile_registries row "default": profile "a": inference_settings\.Chat\.Flavour is not a field of geppetto's Chat settings$/m,
    ],
    [
      'inference_settings that disagree with the profile\'s step settings',
      [
        [
          'default',
          {
            slug: 'default',
            profiles: {
              a: {
                slug: 'a',
                runtime: { step_settings_patch: { 'openai-chat': { 'openai-api-key': PINOCCHIO_KEY } } },
                inference_settings: { API: { APIKeys: { 'openai-api-key': ENGINE_OPENAI_KEY } } },
              },
            },
          },
        ],
      ],
      /profile "a": runtime\.step_settings_patch\.openai-chat\.openai-api-key and its inference_settings disagree$/m,
    ],
    [
      "a key pinocchio's runtime extension does not have",
      [['default', { slug: 'default', profiles: { a: { slug: 'a', extensions: { 'pinocchio.webchat_runtime@v1': { system_prompt: 'Hi', prompt_style: 'x' } } } } }]],
      /profile "a": extension pinocchio\.webchat_runtime@v1: prompt_style is not a field of pinocchio's ProfileRuntime$/m,
    ],
  ] as [string, [string, unknown][], RegExp][])('%s', async (what, rows, message) => {
    const file = await makePinocchioDatabase(dir, `${what.replace(/\W+/g, '-')}.db`, rows);
    const run = await runCli(['migrate-pinocchio', '--from', file, '--profile-registry-db', target()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    for (const key of [PINOCCHIO_KEY, ...ENGINE_KEYS]) expect(run.stderr).not.toContain(key);
    expect(() => readFileSync(target())).toThrow(/ENOENT/);
  });

  it('a file without profile_registries, and a profile-registry database', async () => {
    const other = join(dir, 'other.db');
    await runTracked('sqlite3', [other, 'CREATE TABLE users (id INTEGER);']);
    expect((await runCli(['migrate-pinocchio', '--from', other, '--profile-registry-db', target()])).stderr).toBe(
      `profile-registry: not a pinocchio database: ${other} (it has no profile_registries table)\n`,
    );
    const ours = join(dir, 'ours.db');
    writeFileSync(join(dir, 'bundle.yaml'), BUNDLE);
    expect((await runCli(['import', join(dir, 'bundle.yaml'), '--profile-registry-db', ours])).code).toBe(0);
    expect((await runCli(['migrate-pinocchio', '--from', ours, '--profile-registry-db', target()])).stderr).toBe(
      `profile-registry: ${ours} is a profile-registry database already (nothing to migrate: serve it, or copy it with backup)\n`,
    );
    expect(() => readFileSync(target())).toThrow(/ENOENT/);
  });
});

describe('serve on a pinocchio database', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());

  it('refuses it, leaves it as it was, and names migrate-pinocchio', async () => {
    const file = await makePinocchioDatabase(dir, 'profiles.db', [['default', DEFAULT_REGISTRY]]);
    const before = fileState(file);
    const run = await runCli(['serve', '--port', String(await freePort()), '--profile-registry-db', file, '--log-level', 'silent']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `profile-registry: not a profile-registry database: ${file} (it holds pinocchio's profile_registries table: move its profiles in with \`profile-registry migrate-pinocchio --from ${file}\`)\n`,
    );
    expect(fileState(file)).toEqual(before);
  });
});
