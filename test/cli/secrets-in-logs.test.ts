import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { spawnTracked } from '../support/child-processes.js';
import { FAKE_KEY, readFixture } from '../support/fixtures.js';
import { tempDir } from '../support/test-store.js';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const LEGACY = readFixture('legacy-profiles.yaml');

describe('a served import of a file holding an API key', () => {
  const { dir, remove } = tempDir();
  let server: ChildProcess & { stdout: Readable; stderr: Readable };
  let logs = '';
  let base = '';
  beforeAll(async () => {
    server = spawnTracked(process.execPath, [MAIN, 'serve', '--port', '0', '--no-seed', '--profile-registry-db', join(dir, 'p.db')], {
      env: { ...process.env, PROFILE_REGISTRY_DSN: '', LOG_LEVEL: 'debug' },
    }) as typeof server;
    server.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    base = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        logs += chunk.toString();
        const address = /"address":"(http:[^"]+)"/.exec(logs)?.[1];
        if (address) resolve(address);
      });
      server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${logs}`)));
    });
  });
  afterAll(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    remove();
  });

  it('keeps the key out of the logs and out of every error, even at debug level', async () => {
    // the import takes JSON, as every write does: the file is converted first, as a client would
    const post = (body: string) =>
      fetch(`${base}/api/registries/legacy/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const legacyJson = JSON.stringify(parseYaml(LEGACY));
    const imported = await post(legacyJson);
    expect(imported.status).toBe(200);
    const broken = await post(`${legacyJson.slice(0, -1)}, "broken": [}`);
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toContain(FAKE_KEY);
    const notMap = await post(JSON.stringify({ agent: FAKE_KEY }));
    expect(notMap.status).toBe(400);
    expect(await notMap.text()).not.toContain(FAKE_KEY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs).toContain('request refused');
    expect(logs).not.toContain(FAKE_KEY);
  });
});
