import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore } from '../../src/use-cases/registry-store.js';
import { runCli } from '../support/run-cli.js';
import { buildTestApp, tempDir } from '../support/test-store.js';

/** The catalog file the repository ships for pinocchio users (docs/COMPATIBILITY.md). */
const CATALOG = fileURLToPath(new URL('../../catalog/pinocchio-schemas.yaml', import.meta.url));

describe('the pinocchio schema catalog, in one command', () => {
  let dir: { dir: string; remove: () => void };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('registers agentmode and the starter suggestions extension; profile writes are judged by them; a second import changes nothing', async () => {
    const db = ['--profile-registry-db', join(dir.dir, 'profiles.db')];
    const first = await runCli(['import', CATALOG, ...db]);
    expect(first.code, first.stderr).toBe(0);
    expect((await runCli(['import', CATALOG, ...db])).code).toBe(0);

    const store = await createRegistryStore(openDatabase({ path: join(dir.dir, 'profiles.db') }));
    const app = await buildTestApp({ store });
    try {
      const count = async () => Number((await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events'))?.n);
      expect(await count()).toBe(2); // the second import added nothing
      const middlewares = (await app.inject({ method: 'GET', url: '/api/chat/schemas/middlewares' })).json();
      expect(middlewares).toEqual([expect.objectContaining({ name: 'agentmode', version: 1, display_name: 'Agent Mode' })]);
      const extensions = (await app.inject({ method: 'GET', url: '/api/chat/schemas/extensions' })).json();
      expect(extensions.map((item: { key: string }) => item.key)).toEqual(['webchat.starter_suggestions@v1']);

      await app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'default' } });
      const post = (payload: object) => app.inject({ method: 'POST', url: '/api/chat/profiles', payload });
      const good = await post({
        slug: 'analyst',
        runtime: { middlewares: [{ name: 'agentmode', id: 'primary', config: { default_mode: 'chat', sanitize_yaml: false } }] },
        extensions: { 'webchat.starter_suggestions@v1': { items: ['Summarize this'] } },
      });
      expect(good.statusCode, good.body).toBe(201);
      const before = await count();
      const bad = await post({ slug: 'broken', runtime: { middlewares: [{ name: 'agentmode', config: { default_mode: 3 } }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('/runtime/middlewares/0/config/default_mode');
      const noItems = await post({ slug: 'empty', extensions: { 'webchat.starter_suggestions@v1': {} } });
      expect(noItems.statusCode).toBe(400);
      expect(await count()).toBe(before);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
