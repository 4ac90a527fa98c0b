import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Scenario } from './report.js';

const REBUILD_ONCE = fileURLToPath(new URL('../rebuild-once.js', import.meta.url));

/** Rebuilds every projection of a stopped server's database from its events, in a fresh process. */
export const measureRebuild = async (dbPath: string, label = ''): Promise<Scenario> => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=8192', REBUILD_ONCE, dbPath], {
    timeout: 1_800_000,
  });
  const { events, seconds } = JSON.parse(stdout) as { events: number; seconds: number };
  const rate = events / seconds;
  return {
    name: `rebuild of all projections${label}`,
    figures: { events: events.toLocaleString('en-US'), 'events/s': Math.round(rate).toLocaleString('en-US') },
    goal: { text: '≥ 50,000 events/s', met: () => rate >= 50_000 },
  };
};
