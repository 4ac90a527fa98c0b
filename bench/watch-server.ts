import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/http/build-app.js';
import { openRegistryStore } from '../src/use-cases/registry-store.js';
import { seedDefaultRegistry } from '../src/use-cases/seed-default-registry.js';

/** The server side of bench/watch-latency.ts: a real server in its own process, so its memory is its own. */
const dir = mkdtempSync(join(tmpdir(), 'profile-registry-watch-bench-'));
const store = await openRegistryStore({ path: join(dir, 'profiles.db') });
await seedDefaultRegistry(store);
// every watcher of the benchmark comes from this one client
const app = await buildApp({ store, logLevel: 'silent', maxWatchersPerClient: Number.POSITIVE_INFINITY });
const address = await app.listen({ host: '127.0.0.1', port: 0 });

const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

process.on('message', async (message: { type: string }) => {
  if (message.type === 'memory') process.send?.({ type: 'memory', ...memory() });
  if (message.type === 'stop') {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.send?.({ type: 'ready', address });
