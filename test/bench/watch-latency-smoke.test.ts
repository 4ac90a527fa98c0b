import { describe, expect, it } from 'vitest';
import { runTracked } from '../support/child-processes.js';

describe('bench/watch-latency at a tiny size', () => {
  it('delivers every commit to every watcher and prints latency and memory', async () => {
    const { code, stdout, stderr } = await runTracked(process.execPath, ['dist/bench/watch-latency.js', '--watchers', '5', '--commits', '3'], {
      timeoutMs: 60_000,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('5 SSE watchers, 3 commits');
    expect(stdout).toMatch(/write sent -> watcher received: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(15 deliveries\)/);
    expect(stdout).toMatch(/server memory: before watchers rss [\d.]+ MiB/);
  }, 90_000);
});
