import { request } from 'node:http';
import { epochMs } from './epoch-clock.js';

/**
 * One share of the watchers of `openWatchers` (sse-watchers.ts), in a process of its own:
 *   node sse-watcher-process.js <base url> <count>
 * Opens `count` SSE watchers of /api/watch, says `ready` (or `failed`), then, for every position
 * all of them have received, sends `{ type: 'delivered', position, times }` (epoch milliseconds).
 */
const [baseUrl, countText] = process.argv.slice(2);
const count = Number(countText);
const received = new Map<number, number[]>();
const requests: (() => void)[] = [];

const onData = (chunk: string) => {
  const now = epochMs();
  for (const match of chunk.matchAll(/^id: (\d+)$/gm)) {
    const position = Number(match[1]);
    const times = received.get(position) ?? [];
    times.push(now);
    if (times.length < count) {
      received.set(position, times);
    } else {
      received.delete(position);
      process.send?.({ type: 'delivered', position, times });
    }
  }
};

const open = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(`${baseUrl}/api/watch`, { headers: { accept: 'text/event-stream' } }, (res) => {
      // a refused watcher (e.g. 429 past the per-client cap) would leave every delivery incomplete
      if (res.statusCode !== 200) return reject(new Error(`GET /api/watch answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', onData);
      resolve();
    });
    req.on('error', reject);
    req.end();
    requests.push(() => req.destroy());
  });

process.on('message', (message: { type: string }) => {
  if (message.type !== 'close') return;
  for (const close of requests) close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));

try {
  await Promise.all(Array.from({ length: count }, open));
  process.send?.({ type: 'ready' });
} catch (error) {
  process.send?.({ type: 'failed', message: (error as Error).message });
}
