import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Scenario } from './report.js';

const WATCH_LATENCY = fileURLToPath(new URL('../watch-latency.js', import.meta.url));

/** Runs bench/watch-latency in its own process and reports its delivery latency and memory lines. */
export const measureWatchLatency = async (watchers: number, commits: number): Promise<Scenario> => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [WATCH_LATENCY, '--watchers', String(watchers), '--commits', String(commits)],
    { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const delivery = /watcher received: p50 ([\d.]+) ms, p99 ([\d.]+) ms/.exec(stdout);
  const memory = /with \d+ watchers rss ([\d.]+) MiB/.exec(stdout);
  return {
    name: `commit-to-watcher latency, ${watchers.toLocaleString('en-US')} SSE watchers`,
    figures: {
      'p50 ms': delivery?.[1] ?? '?',
      'p99 ms': delivery?.[2] ?? '?',
      'server RSS with them MiB': memory?.[1] ?? '?',
    },
  };
};
