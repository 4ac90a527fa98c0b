import { parseArgs } from 'node:util';
import { measureHistoryFlatness } from './lib/history-flatness.js';

/**
 * Issue 29's requests on stores of different sizes, the largest over the smallest:
 * `node dist/bench/history-flatness.js --store /tmp/store-100k.db --store /tmp/store-1m.db`
 * (stores from bench/generate-store.ts, rebuilt by `profile-registry rebuild`; a PostgreSQL store
 * is named by its JSON: `--store /tmp/store-100k.pg.json --store /tmp/store-1m.pg.json`). With `--cli`
 * (repeatable, each named by a `--label`), each build serves the same stores in turn: before and
 * after a change in one run. Prints a Markdown table.
 */
const { values } = parseArgs({
  options: {
    store: { type: 'string', multiple: true, default: [] },
    cli: { type: 'string', multiple: true, default: [] },
    label: { type: 'string', multiple: true, default: [] },
    reps: { type: 'string', default: '9' },
  },
});
const builds = values.cli.length === 0 ? [{ cli: undefined, label: undefined }] : values.cli.map((cli, at) => ({ cli, label: values.label[at] ?? cli }));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const lines = ['| request | figures | goal |', '|---|---|---|'];
for (const { cli, label } of builds) {
  for (const scenario of await measureHistoryFlatness({ stores: values.store, cli, label, reps: Number(values.reps), log })) {
    const figures = Object.entries(scenario.figures ?? {}).map(([key, value]) => `${key} ${value}`).join(', ');
    lines.push(`| ${scenario.name} | ${figures} | ${scenario.goal?.text}: ${scenario.goal?.met(scenario) ? 'met' : '**not met**'} |`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
