import { describe, expect, it } from 'vitest';
import { runTracked } from '../support/child-processes.js';

describe('the import benchmark at a tiny size', () => {
  it('imports the generated bundle from YAML and JSON and finds nothing to do the second time', async () => {
    const { code, stdout, stderr } = await runTracked(process.execPath, ['dist/bench/import-10k.js'], {
      env: { ...process.env, BENCH_PROFILES: '50' },
      timeoutMs: 60_000,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('import of 50 profiles (5 registries, medium bodies)');
    expect(stdout).toMatch(/converge into the store \(5 transactions, 60 events\)/);
    expect(stdout).toMatch(/the same profiles again: [\d.]+ s, 0 new events/);
  });
});
