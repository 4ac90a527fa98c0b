import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/test-store.js';

const run = promisify(execFile);

describe('npm run bench at a tiny size', () => {
  const { dir, remove } = tempDir();
  afterAll(() => remove());

  it('runs every scenario, the large-history ones included, and writes the report', async () => {
    const output = join(dir, 'BENCHMARKS.md');
    await run(
      process.execPath,
      ['dist/bench/run.js', '--tiny', '--large', '--large-events', '2500', '--large-profiles', '200', '--output', output],
      { timeout: 120_000 },
    );
    const report = readFileSync(output, 'utf8');
    for (const scenario of [
      'hello-world baseline',
      'GET profile',
      'conditional GET → 304',
      'list profiles of a registry',
      'resolve',
      'PATCH durable, registry of 20 (1 conn)',
      'PATCH durable, registry of 20 (50 conns)',
      'PATCH durable, spread over 10 registries',
      'PATCH description',
      'rebuild of all projections',
      'start-up and memory with',
    ]) {
      expect(report, scenario).toContain(`| ${scenario}`);
    }
    expect(report).toMatch(/\| GET profile \(50 conns\) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/);
    expect(report).not.toContain('non-2xx');
  }, 150_000);
});
