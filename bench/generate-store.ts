import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeShapedHistory } from './lib/shaped-history.js';

/**
 * Writes one of issue 29's stores (1k, 100k or 1M events; see lib/shaped-history.ts) to a new
 * SQLite file and writes what it holds as JSON to FILE.db.json: `node dist/bench/generate-store.js --events
 * 1000000 --out /tmp/store-1m.db`. The projections are made by `profile-registry rebuild`.
 */
const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' }, out: { type: 'string' } } });
if (!values.out || existsSync(values.out)) {
  process.stderr.write('usage: node dist/bench/generate-store.js --events N --out NEW-FILE.db\n');
  process.exit(2);
}
const started = performance.now();
const store = await writeShapedHistory({ dbPath: values.out, events: Number(values.events), log: (m) => process.stderr.write(`${m}\n`) });
// beside the store, what it holds: bench/history-flatness.ts reads it
writeFileSync(`${values.out}.json`, JSON.stringify(store));
process.stdout.write(`${JSON.stringify({ ...store, seconds: Math.round((performance.now() - started) / 100) / 10 })}\n`);
