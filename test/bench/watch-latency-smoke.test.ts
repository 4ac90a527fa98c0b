import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('bench/watch-latency at a tiny size', () => {
  it('delivers every commit to every watcher and prints latency and memory', async () => {
    const { stdout } = await run(process.execPath, ['dist/bench/watch-latency.js', '--watchers', '5', '--commits', '3'], {
      timeout: 60_000,
    });
    expect(stdout).toContain('5 SSE watchers, 3 commits');
    expect(stdout).toMatch(/write sent -> watcher received: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(15 deliveries\)/);
    expect(stdout).toMatch(/server memory: before watchers rss [\d.]+ MiB/);
  }, 90_000);
});
