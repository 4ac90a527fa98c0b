import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('bench/schema-validation at a tiny size', () => {
  it('runs the PATCH load with and without the three schemas (every write accepted) and prints the ratio', async () => {
    const { stdout } = await run(
      process.execPath,
      ['dist/bench/schema-validation.js', '--duration', '1', '--rounds', '1', '--profiles', '5', '--connections', '5'],
      { timeout: 90_000 },
    );
    expect(stdout).toMatch(/\| without schemas \| \d+ \| [\d.]+ \| \d+ \| \d+ \|/);
    expect(stdout).toMatch(/\| with the 3 schemas \(every config validated\) \| \d+ \| [\d.]+ \| \d+ \| \d+ \|/);
    expect(stdout).toMatch(/server CPU per write, without \/ with: \d\.\d{3}/);
    expect(stdout).toMatch(/validation alone \(in process\): [\d.]+ µs per write/);
    expect(stdout).toMatch(/with \/ without, median of the rounds. ratios \([\d., ]+\): \d\.\d{3} \(target ≥ 0\.90: (met|NOT MET)\)/);
  }, 120_000);
});
