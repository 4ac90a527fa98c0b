import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/run-cli.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, tempDir, type Backend, type TestStore } from '../support/test-store.js';

// every value matches the suite's secret pattern (transcript.ts): a CLI output without --include-secrets showing one fails the run
const KEY = 'sk-test-cli-key-0001';
const NEW_KEY = 'sk-test-cli-key-0002';
const BEARER = 'sk-test-cli-bearer-0003';
const DSN_PASSWORD = 'pw-test-secret-cli-0004';
const SIGNATURE = 'sig-test-secret-cli-0005';
const SECRETS = [KEY, NEW_KEY, BEARER, DSN_PASSWORD, SIGNATURE];
const context = { actor: 'tester', source: 'test', request_id: 'cli-secrets' };

const runtime = (key: string) => ({
  step_settings_patch: {
    'openai-chat': { 'openai-api-key': key, 'openai-base-url': 'https://api.openai.com/v1' },
    http: { headers: { 'X-Upstream': `Bearer ${BEARER}` }, dsn: `postgres://app:${DSN_PASSWORD}@db:5432/chat` },
    vendor: { 'x-goog-sig': SIGNATURE, region: 'eu' },
  },
});

const noSecretIn = (text: string) => {
  for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
};

describeEachBackend('the command line prints no secret without --include-secrets on %s', (backend: Backend) => {
  let t: TestStore;
  let empty: TestStore;
  const dir = tempDir();
  const cli = (...args: string[]) => runCli([...args, ...t.cliDatabaseArgs, '--secret-keys', 'x-goog-sig']);

  beforeAll(async () => {
    t = await openTestStore(backend);
    empty = await openTestStore(backend);
    await t.store.execute({ type: 'create_registry', registry: 'team' }, context);
    await t.store.execute({ type: 'create_profile', registry: 'team', slug: 'chat', fields: { runtime: runtime(KEY) } }, context);
    await t.store.execute({ type: 'update_profile', registry: 'team', slug: 'chat', fields: { runtime: runtime(NEW_KEY) } }, context);
  });
  afterAll(async () => {
    await t?.close();
    await empty?.close();
    dir.remove();
  });

  it('history (lines and JSON) shows changed secrets as "***"', async () => {
    const lines = await cli('history', '--registry', 'team', '--profile', 'chat');
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toContain('"path":"/runtime/step_settings_patch/openai-chat/openai-api-key","value":"***"');
    expect(lines.stdout).toContain('postgres://app:***@db:5432/chat');
    noSecretIn(lines.stdout);
    for (const args of [['--profile', 'chat', '--json'], ['--json']]) {
      const json = await cli('history', '--registry', 'team', ...args);
      expect(json.code, json.stderr).toBe(0);
      expect(json.stdout).toContain('***');
      noSecretIn(json.stdout);
    }
    const revealed = await cli('history', '--registry', 'team', '--profile', 'chat', '--include-secrets');
    expect(revealed.stdout).toContain(NEW_KEY);
  });

  it('restore --dry-run shows the changes it would make with "***" for secrets', async () => {
    const dryRun = await cli('restore', '--registry', 'team', '--to-version', '2', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('"value":"***"');
    expect(dryRun.stdout).toMatch(/dry run: \d+ changes to registry "team"/);
    noSecretIn(dryRun.stdout);
    const revealed = await cli('restore', '--registry', 'team', '--to-version', '2', '--dry-run', '--include-secrets');
    expect(revealed.stdout).toContain(KEY);
  });

  it('export masks every shape, the operator\'s names too; --include-secrets writes them', async () => {
    const exported = await cli('export', '--registry', 'team');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('x-goog-sig: "***"');
    expect(exported.stdout).toContain('X-Upstream: "***"');
    noSecretIn(exported.stdout);
    const revealed = await cli('export', '--registry', 'team', '--include-secrets');
    for (const secret of [NEW_KEY, BEARER, DSN_PASSWORD, SIGNATURE]) expect(revealed.stdout).toContain(secret);
  });

  it('refuses to import a redacted export into a store without those secrets, in one line naming them, changing nothing', async () => {
    const file = join(dir.dir, 'redacted.yaml');
    writeFileSync(file, (await cli('export', '--registry', 'team')).stdout);
    const before = await storeSnapshot(empty.store.db);
    const refused = await runCli(['import', file, ...empty.cliDatabaseArgs, '--secret-keys', 'x-goog-sig']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')).toEqual([expect.stringMatching(/^profile-registry: re-enter the secrets at /), '']);
    for (const path of ['openai-chat/openai-api-key', 'http/headers/X-Upstream', 'http/dsn', 'vendor/x-goog-sig']) {
      expect(refused.stderr).toContain(`/registries/team/profiles/chat/runtime/step_settings_patch/${path}`);
    }
    expect(await storeSnapshot(empty.store.db)).toEqual(before);
    // into the store it came from, the same file changes nothing and keeps the secrets
    const back = await cli('import', file);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('Events: 0');
  });
});
