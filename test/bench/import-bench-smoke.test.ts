import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the import benchmark at a tiny size', () => {
  it('imports the generated bundle from YAML and JSON and finds nothing to do the second time', async () => {
    const { stdout } = await run(process.execPath, ['dist/bench/import-10k.js'], {
      env: { ...process.env, BENCH_PROFILES: '50' },
      timeout: 60_000,
    });
    expect(stdout).toContain('import of 50 profiles (5 registries, medium bodies)');
    expect(stdout).toMatch(/converge into the store \(5 transactions, 60 events\)/);
    expect(stdout).toMatch(/the same profiles again: [\d.]+ s, 0 new events/);
  });
});
