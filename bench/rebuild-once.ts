import { openDatabase } from '../src/events/open-database.js';
import { rebuildProjections } from '../src/projections/rebuild.js';

/**
 * Rebuilds every projection of a stopped server's SQLite file once and prints
 * `{"events":N,"seconds":S}`: run by the benchmark in a process of its own, as an operator's
 * rebuild or a server's first start would be, not in the process that generated the data.
 */
const dbPath = process.argv[2];
if (!dbPath) {
  process.stderr.write('usage: node dist/bench/rebuild-once.js FILE.db\n');
  process.exit(2);
}
const db = openDatabase({ path: dbPath });
try {
  const events = await db.events.countEvents();
  const started = performance.now();
  await rebuildProjections(db);
  process.stdout.write(`${JSON.stringify({ events, seconds: (performance.now() - started) / 1000 })}\n`);
} finally {
  await db.close();
}
