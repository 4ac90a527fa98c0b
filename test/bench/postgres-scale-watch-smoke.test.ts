import { expect, it } from 'vitest';
import { describeOnPostgres } from '../support/backends.js';
import { runTracked } from '../support/child-processes.js';

describeOnPostgres('bench/postgres-scale, watchers only, at a tiny size', () => {
  it('delivers every commit of instance A to the watchers of instance B and prints both sides of the latency', async () => {
    const { code, stdout, stderr } = await runTracked(process.execPath, ['dist/bench/postgres-scale.js', '--tiny', '--watch-only'], {
      timeoutMs: 90_000,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('20 SSE watchers on B read by 4 processes, 3 PATCHes on A after 10 unmeasured');
    expect(stdout).toMatch(/from the commit, as PostgreSQL notifies it\) \| p50 ms [\d.,]+, p99 ms [\d.,]+, max [\d.,]+;/);
    expect(stdout).toMatch(/B itself, from its read to its last watcher written \(\d+ reads\): mean ms [\d.,]+, p50 ≤ [\d.,]+, p99 ≤ [\d.,]+, CPU ms per commit [\d.,]+/);
  }, 120_000);
});
