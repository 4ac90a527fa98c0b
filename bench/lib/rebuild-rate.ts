import { openDatabase } from '../../src/events/open-database.js';
import { countEvents } from '../../src/projections/read-model.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import type { Scenario } from './report.js';

/** Rebuilds every projection of a stopped server's database from its events. */
export const measureRebuild = async (dbPath: string, label = ''): Promise<Scenario> => {
  const db = openDatabase({ path: dbPath });
  try {
    const events = await countEvents(db);
    const started = performance.now();
    await rebuildProjections(db);
    const seconds = (performance.now() - started) / 1000;
    const rate = events / seconds;
    return {
      name: `rebuild of all projections${label}`,
      figures: { events: events.toLocaleString('en-US'), 'events/s': Math.round(rate).toLocaleString('en-US') },
      goal: { text: '≥ 50,000 events/s', met: () => rate >= 50_000 },
    };
  } finally {
    await db.close();
  }
};
