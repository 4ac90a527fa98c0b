import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const SECRET = 'sk-test-cli-secret-0001';

describe('serving safely and handing out tokens', { timeout: 90_000 }, () => {
  let dir: string;
  let remove: () => void;
  let server: ServerProcess | undefined;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    remove();
  });

  it('refuses to listen beyond loopback without a tokens file or --insecure-no-auth, creating nothing', async () => {
    const db = join(dir, 'p.db');
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      const run = await runCli(['serve', '--host', host, '--port', '0', '--profile-registry-db', db]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `profile-registry: refusing to listen on ${host} without authentication: give --auth-tokens-file FILE (or --insecure-no-auth to accept anyone)\n`,
      );
    }
    expect(existsSync(db)).toBe(false);
  });

  it('listens on 0.0.0.0 with --insecure-no-auth, and says so', async () => {
    server = await startServer(['--profile-registry-db', join(dir, 'p.db'), '--host', '0.0.0.0', '--insecure-no-auth']);
    expect((await fetch(`${server.url}/api/registries`)).status).toBe(200);
    expect(server.output()).toContain('authentication is off (--insecure-no-auth)');
  });

  it('creates a token that works once its entry is in the file, and stops it on SIGHUP once removed', async () => {
    const created = await runCli(['token', 'create', '--name', 'ci', '--role', 'editor', '--registries', 'default']);
    expect(created.code).toBe(0);
    const token = /^token: (prt_[A-Za-z0-9_-]{32})$/m.exec(created.stdout)?.[1] as string;
    expect(token).toBeDefined();
    const entry = created.stdout.split('\n').find((line) => line.startsWith('- {')) as string;
    expect(entry).toMatch(/^- \{name: ci, role: editor, sha256: [0-9a-f]{64}, registries: \[default\]\}$/);
    expect(created.stdout).not.toContain(`sha256: ${token}`);
    const again = await runCli(['token', 'create', '--name', 'ci', '--role', 'editor']);
    expect(again.stdout).not.toContain(token);

    const file = join(dir, 'tokens.yaml');
    writeFileSync(file, `${entry}\n`);
    server = await startServer(['--profile-registry-db', join(dir, 'p.db'), '--auth-tokens-file', file, '--host', '0.0.0.0']);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.url}/api/registries`)).status).toBe(401);
    const listed = await fetch(`${server.url}/api/registries`, { headers: auth });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { slug: string }[]).map((registry) => registry.slug)).toEqual(['default']);
    expect((await fetch(`${server.url}/api/registries`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"slug":"x"}' })).status).toBe(403);

    writeFileSync(file, '[]\n');
    server.child.kill('SIGHUP');
    const deadline = Date.now() + 5000;
    while ((await fetch(`${server.url}/api/registries`, { headers: auth })).status !== 401) {
      if (Date.now() > deadline) throw new Error(`token still accepted:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.child.exitCode).toBeNull();
  });

  it('refuses a bad tokens file at start with one line', async () => {
    const file = join(dir, 'tokens.yaml');
    writeFileSync(file, '- {name: ci, role: owner, sha256: abc}\n');
    const run = await runCli(['serve', '--port', '0', '--profile-registry-db', join(dir, 'p.db'), '--auth-tokens-file', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^profile-registry: .*tokens\.yaml: \[0\]\.role: .+\n$/);
    expect(existsSync(join(dir, 'p.db'))).toBe(false);
    expect(existsSync(join(dir, 'p.db'))).toBe(false);
  });

  it('exports secrets as *** unless --include-secrets', async () => {
    const bundle = join(dir, 'bundle.yaml');
    writeFileSync(
      bundle,
      `registries:\n  default:\n    slug: default\n    profiles:\n      chat:\n        slug: chat\n        runtime:\n          step_settings_patch:\n            ai-chat:\n              openai-api-key: ${SECRET}\n`,
    );
    const db = ['--profile-registry-db', join(dir, 'p.db')];
    expect((await runCli(['import', bundle, ...db])).code).toBe(0);
    const redacted = await runCli(['export', ...db]);
    expect(redacted.code).toBe(0);
    expect(redacted.stdout).toContain('openai-api-key: "***"');
    expect(redacted.stdout).not.toContain(SECRET);
    const full = await runCli(['export', ...db, '--include-secrets']);
    expect(full.stdout).toContain(`openai-api-key: ${SECRET}`);
  });
});
