import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeShapedHistory } from './lib/shaped-history.js';

/**
 * Writes one of issue 29's stores (1k, 100k or 1M events; see lib/shaped-history.ts) to a new
 * SQLite file, or to an empty PostgreSQL schema, and what it holds as JSON beside it:
 * - `node dist/bench/generate-store.js --events 1000000 --out /tmp/store-1m.db` (JSON in /tmp/store-1m.db.json);
 * - `node dist/bench/generate-store.js --events 1000000 --postgres postgres://postgres@127.0.0.1/flat_1m
 *   --schema flat --out /tmp/store-1m.pg.json` (the JSON also names the URL and schema).
 * bench/history-flatness.ts takes either as `--store`. The projections are made by
 * `profile-registry rebuild` (with `--profile-registry-dsn URL --pg-schema NAME` for PostgreSQL).
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    out: { type: 'string' },
    postgres: { type: 'string' },
    schema: { type: 'string' },
  },
});
const jsonPath = values.postgres ? values.out : values.out && `${values.out}.json`;
if (!values.out || !jsonPath || existsSync(values.out) || existsSync(jsonPath) || (values.postgres && !values.schema)) {
  process.stderr.write(
    'usage: node dist/bench/generate-store.js --events N (--out NEW-FILE.db | --postgres URL --schema NEW-SCHEMA --out NEW-FILE.json)\n',
  );
  process.exit(2);
}
const started = performance.now();
const location = values.postgres ? { dsn: values.postgres, schema: values.schema } : { path: values.out };
const store = await writeShapedHistory({ location, events: Number(values.events), log: (m) => process.stderr.write(`${m}\n`) });
// what it holds, where bench/history-flatness.ts reads it
writeFileSync(jsonPath, JSON.stringify(values.postgres ? { ...store, postgres: location } : store));
process.stdout.write(`${JSON.stringify({ ...store, seconds: Math.round((performance.now() - started) / 100) / 10 })}\n`);
