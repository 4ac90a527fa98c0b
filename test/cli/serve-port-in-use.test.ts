import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { freePort } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

describe('serve on a port in use', () => {
  const { dir, remove } = tempDir();
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    remove();
  });

  it('fails with one line before it creates or seeds a database', async () => {
    const db = join(dir, 'data', 'profiles.db');
    const result = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--profile-registry-db', db]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(`profile-registry: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
