import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../support/browser.js';
import { runTracked } from '../support/child-processes.js';
import { tempDir } from '../support/test-store.js';

describe('npm run bench at a tiny size', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());

  it('runs every scenario, the large-history ones included, and writes the report', async () => {
    const output = join(dir, 'BENCHMARKS.md');
    const run = await runTracked(
      process.execPath,
      ['dist/bench/run.js', '--tiny', '--large', '--large-events', '2500', '--large-profiles', '200', '--output', output],
      { timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = readFileSync(output, 'utf8');
    for (const scenario of [
      'hello-world baseline',
      'GET profile',
      'bare Fastify route answering as many bytes as GET profile',
      'bare Fastify route answering as many bytes as resolve',
      'conditional GET → 304',
      'list profiles of a registry',
      'resolve',
      'PATCH durable, registry of 20 (1 conn)',
      'PATCH durable, registry of 20 (50 conns)',
      'PATCH durable, spread over 10 registries',
      'PATCH description',
      'rebuild of all projections',
      'commit-to-watcher latency, 5 SSE watchers',
      'start-up and memory with',
      'start-up with (',
      ...(chromiumAvailable ? ['console: first page of a registry of 500 profiles', 'console: registry history of'] : []),
    ]) {
      expect(report, scenario).toContain(`| ${scenario}`);
    }
    expect(report).toMatch(/\| GET profile \(50 conns\) \| [\d.,]+ \| [\d.,]+ \| [\d.,]+ \| [\d.,]+× \|/);
    expect(report).not.toContain('non-2xx');
    expect(report).toMatch(/\| resolve \(50 conns\) \| [\d,]+ \|/);
    expect(report).toMatch(/commit-to-watcher latency, 5 SSE watchers \| p50 ms [\d.,]+, p99 ms [\d.,]+, server RSS with them MiB [\d.,]+/);
  }, 150_000);
});
