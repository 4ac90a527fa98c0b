import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureConsoleScale } from './lib/console-scale.js';

/**
 * The console at scale alone (bench/run.ts runs it too): `npm run build && node
 * dist/bench/console-scale.js [--profiles 5000] [--events 20000] [--rounds 5]` prints the figures as JSON.
 */
const { values } = parseArgs({
  options: { profiles: { type: 'string', default: '5000' }, events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } },
});
const workDir = mkdtempSync(join(tmpdir(), 'profile-registry-console-bench-'));
try {
  const result = await measureConsoleScale({
    workDir,
    profiles: Number(values.profiles),
    events: Number(values.events),
    rounds: Number(values.rounds),
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  });
  process.stdout.write(`${JSON.stringify('skipped' in result ? result : result.figures, null, 2)}\n`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
