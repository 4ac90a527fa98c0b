import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DomainEvent } from '../src/events/event-types.js';
import { openDatabase } from '../src/events/open-database.js';
import { ensureSchema } from '../src/projections/schema-setup.js';

/**
 * Sequential appends with an expected version, this project's event store against Emmett's SQLite
 * event store (`@event-driven-io/emmett-sqlite`), in one run, taking turns:
 *   node dist/bench/emmett-compare.js --emmett-dir /tmp/emmett [--appends 2000] [--rounds 3]
 * `--emmett-dir` is a folder where `npm install @event-driven-io/emmett-sqlite` was run (it is no
 * dependency of this project). Each append is one event (the same ~400-byte payload on both
 * sides), awaited before the next, with the version the stream is expected to be at; each side
 * writes a fresh SQLite file in WAL mode, every commit fsynced before the append resolves
 * (this project: `synchronous=FULL`, its default; Emmett: SQLite's default, FULL).
 */
const { values: flags } = parseArgs({
  options: {
    'emmett-dir': { type: 'string' },
    appends: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
  },
});
if (!flags['emmett-dir']) {
  process.stderr.write('usage: node dist/bench/emmett-compare.js --emmett-dir DIR [--appends N] [--rounds N]\n');
  process.exit(2);
}
const appends = Number(flags.appends);
const rounds = Number(flags.rounds);
const log = (message: string) => process.stderr.write(`[bench:emmett] ${message}\n`);

const payload = (n: number) => ({
  registry: 'bench',
  slug: 'planner',
  version: n,
  fields: { description: `revision ${n}: ${'a reasonably long description of what changed '.repeat(7)}` },
});

interface EmmettStore {
  appendToStream(stream: string, events: { type: string; data: unknown }[], options: { expectedStreamVersion: bigint }): Promise<unknown>;
}
interface EmmettModule {
  getSQLiteEventStore(options: { fileName: string; schema?: { autoMigration?: 'None' | 'CreateOrUpdate' } }): EmmettStore;
}

/** Appends per second, appending `appends` events one at a time to one stream of this project's store. */
const ours = async (file: string): Promise<number> => {
  const db = openDatabase({ path: file });
  await ensureSchema(db);
  const started = performance.now();
  for (let n = 0; n < appends; n++) {
    const event = {
      type: 'profile.updated',
      schema_version: 1,
      data: payload(n + 1),
      metadata: { actor: 'bench', source: 'bench', request_id: `r${n}`, occurred_at_ms: Date.now() },
    } as unknown as DomainEvent;
    await db.transaction((tx) => tx.events.appendToStream('registry-bench', n, [event]));
  }
  const perSec = appends / ((performance.now() - started) / 1000);
  await db.close();
  return perSec;
};

/** Appends Emmett refused with SQLITE_BUSY and that were sent again (see main). */
let emmettRetries = 0;

/**
 * The same with Emmett's SQLite event store. Some of its appends fail with "SQLITE_BUSY: cannot
 * commit transaction - SQL statements in progress" (its own statement still open on the
 * connection when it commits; nothing else uses the file); such an append wrote nothing and is
 * sent again, as a caller would, and counted.
 */
const emmett = async (module: EmmettModule, file: string): Promise<number> => {
  const store = module.getSQLiteEventStore({ fileName: file, schema: { autoMigration: 'CreateOrUpdate' } });
  const started = performance.now();
  for (let n = 0; n < appends; n++) {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.appendToStream('registry-bench', [{ type: 'ProfileUpdated', data: payload(n + 1) }], { expectedStreamVersion: BigInt(n) });
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt === 10) throw error;
        emmettRetries += 1;
      }
    }
  }
  return appends / ((performance.now() - started) / 1000);
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const main = async () => {
  const entry = join(flags['emmett-dir'] as string, 'node_modules/@event-driven-io/emmett-sqlite/dist/index.js');
  const module = (await import(pathToFileURL(entry).href)) as EmmettModule;
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-emmett-'));
  const ratios: number[] = [];
  const rows: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      // each side goes first in every other round
      const order = round % 2 === 1 ? (['ours', 'emmett'] as const) : (['emmett', 'ours'] as const);
      const figures: Record<string, number> = {};
      for (const side of order) {
        const file = join(dir, `${side}-${round}.db`);
        figures[side] = side === 'ours' ? await ours(file) : await emmett(module, file);
        log(`round ${round}: ${side} ${Math.round(figures[side] as number)} appends/s`);
      }
      ratios.push((figures.ours as number) / (figures.emmett as number));
      rows.push(`| ${round} | ${Math.round(figures.ours as number).toLocaleString('en-US')} | ${Math.round(figures.emmett as number).toLocaleString('en-US')} | ${ratios.at(-1)?.toFixed(2)}× |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      `${appends} sequential appends of one event each, with expected version, one stream, durable commits:`,
      '',
      '| round | this project (appends/s) | Emmett SQLite (appends/s) | ratio |',
      '|---|---|---|---|',
      ...rows,
      '',
      `median ratio: ${median(ratios).toFixed(2)}×; Emmett appends sent again after SQLITE_BUSY: ${emmettRetries}`,
      '',
    ].join('\n'),
  );
};

await main();
