import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { openDatabase } from '../../src/events/open-database.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

/** Each test runs the CLI five or six times (a second or more each on a busy machine). */
const CLI_RUNS_TIMEOUT = 180_000;

const inference = {
  name: 'inference',
  version: 2,
  display_name: 'Inference',
  schema: { type: 'object', properties: { max_tokens: { type: 'integer', maximum: 4096 } }, additionalProperties: false },
};
const custom = { key: 'vendor.custom@v1', schema: { type: 'object', required: ['flags'] } };

const bundle = (maxTokens: number) => ({
  registries: {
    default: {
      slug: 'default',
      default_profile_slug: 'base',
      profiles: { base: { slug: 'base', runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 1024 } }] } } },
    },
    team: {
      slug: 'team',
      unknown_middlewares: 'refuse',
      profiles: {
        analyst: {
          slug: 'analyst',
          runtime: { middlewares: [{ name: 'inference', config: { max_tokens: maxTokens } }] },
          extensions: { 'vendor.custom@v1': { flags: [] } },
        },
      },
    },
  },
  schemas: { middlewares: [inference], extensions: [custom] },
});

const storeRows = async (dbPath: string) => {
  const db = openDatabase({ path: dbPath });
  try {
    return {
      events: await db.all('SELECT position, stream_id, type, hash FROM events ORDER BY position'),
      schemas: await db.all('SELECT * FROM schema_documents ORDER BY kind, name'),
      registries: await db.all('SELECT slug, payload_text FROM profile_registries ORDER BY slug'),
    };
  } finally {
    await db.close();
  }
};

describe('schemas travel in bundles (profile-registry import / export)', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(async () => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  const dbArgs = (name: string) => ['--profile-registry-db', join(dir, name)];
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, stringifyYaml(value));
    return path;
  };

  it('imports the schemas section with the registries, and exports it back byte for byte', async () => {
    const input = file('bundle.yaml', bundle(4096));
    const imported = await runCli(['import', input, ...dbArgs('a.db')]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Registries: 2\nProfiles: 2\nSchemas: 2\n');
    const exported = await runCli(['export', ...dbArgs('a.db')]);
    expect(exported.code, exported.stderr).toBe(0);
    const parsed = parseYaml(exported.stdout);
    expect(parsed.schemas).toEqual({ middlewares: [inference], extensions: [custom] });
    expect(parsed.registries.team.unknown_middlewares).toBe('refuse');
    writeFileSync(join(dir, 'export.yaml'), exported.stdout);
    expect((await runCli(['import', join(dir, 'export.yaml'), ...dbArgs('b.db')])).code).toBe(0);
    expect((await runCli(['export', ...dbArgs('b.db')])).stdout).toBe(exported.stdout);
    // importing the same file again appends nothing
    const before = await storeRows(join(dir, 'a.db'));
    expect((await runCli(['import', input, ...dbArgs('a.db')])).code).toBe(0);
    expect(await storeRows(join(dir, 'a.db'))).toEqual(before);
  }, CLI_RUNS_TIMEOUT);

  it('refuses the whole file when one profile violates a schema (its own or a stored one), and writes nothing', async () => {
    const dbPath = join(dir, 'c.db');
    expect((await runCli(['import', file('ok.yaml', bundle(4096)), ...dbArgs('c.db')])).code).toBe(0);
    const before = await storeRows(dbPath);

    const refused = await runCli(['import', file('bad.yaml', bundle(5000)), ...dbArgs('c.db')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('validation error (registries.team.profiles.analyst.runtime.middlewares[0].config.max_tokens): must be <= 4096');
    expect(await storeRows(dbPath)).toEqual(before);

    // without a schemas section the stored schemas judge the file
    const { schemas: _schemas, ...withoutSchemas } = bundle(9999);
    const stored = await runCli(['import', file('bad2.yaml', withoutSchemas), ...dbArgs('c.db')]);
    expect(stored.code).not.toBe(0);
    expect(stored.stderr).toContain('must be <= 4096');
    expect(await storeRows(dbPath)).toEqual(before);

    const invalidSchema = { ...bundle(10), schemas: { middlewares: [{ ...inference, schema: { type: 'objekt' } }] } };
    const notSchema = await runCli(['import', file('bad3.yaml', invalidSchema), ...dbArgs('c.db')]);
    expect(notSchema.code).not.toBe(0);
    expect(notSchema.stderr).toContain('validation error (schemas.middlewares[0].schema.type): not a valid JSON Schema (draft 2020-12)');
    expect(await storeRows(dbPath)).toEqual(before);
  }, CLI_RUNS_TIMEOUT);
});
