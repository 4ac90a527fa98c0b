import { connect } from 'node:net';
import { epochMs } from './epoch-clock.js';

/**
 * One share of the watchers of `openWatchers` (sse-watchers.ts), in a process of its own:
 *   node sse-watcher-process.js <base url> <count>
 * Opens `count` SSE watchers of /api/watch, says `ready` (or `failed`), then, for every position (`id: <store identity>:<position>`)
 * all of them have received, sends `{ type: 'delivered', position, times }` (epoch milliseconds).
 * Each watcher is a bare TCP connection that finds the `id:` lines in what arrives, chunk framing
 * and all: about 40 % less CPU than node:http's client, which on a small machine competes with
 * the server being measured.
 */
const [baseUrl, countText] = process.argv.slice(2);
const count = Number(countText);
const { hostname, port } = new URL(baseUrl);
const received = new Map<number, number[]>();
const sockets: (() => void)[] = [];

const onPosition = (position: number, now: number) => {
  const times = received.get(position) ?? [];
  times.push(now);
  if (times.length < count) {
    received.set(position, times);
  } else {
    received.delete(position);
    process.send?.({ type: 'delivered', position, times });
  }
};

const open = () =>
  new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /api/watch HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    sockets.push(() => socket.destroy());
    socket.setEncoding('latin1');
    let head = true;
    /** The last, unfinished line of what arrived so far. */
    let rest = '';
    socket.on('data', (text: string) => {
      const now = epochMs();
      if (head) {
        // a refused watcher (e.g. 429 past the per-client cap) would leave every delivery incomplete
        const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
        if (status !== '200') return reject(new Error(`GET /api/watch answered ${status ?? text.slice(0, 40)}`));
        head = false;
        resolve();
      }
      const lines = rest + text;
      const end = lines.lastIndexOf('\n');
      rest = lines.slice(end + 1);
      for (const match of lines.slice(0, end + 1).matchAll(/^id: (?:[0-9a-f]+:)?(\d+)$/gm)) onPosition(Number(match[1]), now);
    });
    socket.on('error', reject);
  });

process.on('message', (message: { type: string }) => {
  if (message.type !== 'close') return;
  for (const close of sockets) close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));

try {
  await Promise.all(Array.from({ length: count }, open));
  process.send?.({ type: 'ready' });
} catch (error) {
  process.send?.({ type: 'failed', message: (error as Error).message });
}
