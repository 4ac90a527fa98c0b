import { fork, type ChildProcess } from 'node:child_process';
import { epochMs } from './lib/epoch-clock.js';
import { openWatchers } from './lib/sse-watchers.js';

/**
 * Commit-to-watcher latency of GET /api/watch with many open SSE watchers, and the server's memory
 * with them. The server runs in a child process, the watchers in a few others (sse-watchers.ts); this one writes.
 *   node dist/bench/watch-latency.js [--watchers 1000] [--commits 100]
 */
const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const WATCHERS = arg('watchers', 1000);
const COMMITS = arg('commits', 100);

const ask = <T>(child: ChildProcess, type: string): Promise<T> =>
  new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type === type) {
        child.off('message', listener);
        resolve(message as T);
      }
    };
    child.on('message', listener);
    if (type !== 'ready') child.send({ type });
  });

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const server = fork(new URL('./watch-server.js', import.meta.url), [], { execArgv: ['--expose-gc'] });
const { address } = await ask<{ address: string }>(server, 'ready');
const before = await ask<{ rss: number; heapUsed: number }>(server, 'memory');

const patchDefault = async (description: string): Promise<number> => {
  const sent = epochMs();
  const response = await fetch(`${address}/api/chat/profiles/default`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ description }),
  });
  if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
  await response.arrayBuffer();
  return epochMs() - sent;
};
// baseline: the same writes with nobody watching
const baseline: number[] = [];
for (let i = 0; i < COMMITS; i++) baseline.push(await patchDefault(`baseline ${i}`));

const watchers = await openWatchers(address, WATCHERS);
await new Promise((resolve) => setTimeout(resolve, 500));
const withWatchers = await ask<{ rss: number; heapUsed: number }>(server, 'memory');

const latencies: number[] = [];
const roundTrips: number[] = [];
for (let i = 0; i < COMMITS; i++) {
  const delivery = watchers.nextDelivery();
  const sent = epochMs();
  roundTrips.push(await patchDefault(`commit ${i}`));
  for (const at of await delivery) latencies.push(at - sent);
}

watchers.close();
server.send({ type: 'stop' });

latencies.sort((a, b) => a - b);
roundTrips.sort((a, b) => a - b);
baseline.sort((a, b) => a - b);
console.log(`watch latency: ${WATCHERS} SSE watchers, ${COMMITS} commits (PATCH one at a time), SQLite, one machine`);
const ms = (sorted: number[]) => `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`;
console.log(`  write round trip, nobody watching (baseline): ${ms(baseline)}`);
console.log(`  write round trip, ${WATCHERS} watching: ${ms(roundTrips)}`);
console.log(
  `  write sent -> watcher received: ${ms(latencies)}, max ${latencies[latencies.length - 1].toFixed(2)} ms (${latencies.length} deliveries)`,
);
console.log(`  ratio p50 delivery / p50 baseline write: ${(percentile(latencies, 50) / percentile(baseline, 50)).toFixed(2)}`);
console.log(
  `  server memory: before watchers rss ${mib(before.rss)} heap ${mib(before.heapUsed)}; with ${WATCHERS} watchers rss ${mib(withWatchers.rss)} heap ${mib(withWatchers.heapUsed)} (+${((withWatchers.heapUsed - before.heapUsed) / WATCHERS / 1024).toFixed(1)} KiB heap per watcher)`,
);
