/**
 * Reads of the past at 100 and at 100,000 events of history, in one run (SQLite file, app.inject).
 * Both registries hold the same 20 profiles; only the length of their history differs, so equal
 * timings mean a read of the past costs the same whatever lies behind it (snapshots + short fold).
 *
 *   npm run build && node dist/bench/as-of-read.js [--events 100000] [--reads 300]
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/events/open-database.js';
import { buildApp } from '../src/http/build-app.js';
import { createRegistryStore, type RegistryStore } from '../src/use-cases/registry-store.js';
import { registryStateAt } from '../src/projections/time-travel.js';

const argValue = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

const PROFILES = 20;
const START_MS = 1_771_880_000_000;
const context = { actor: 'bench', source: 'bench', request_id: 'bench' };

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const summarize = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
};

/** A registry with PROFILES profiles and `events` events of history (updates round-robin). */
const buildHistory = async (dir: string, events: number) => {
  let clock = START_MS;
  const store = await createRegistryStore(openDatabase({ path: join(dir, `history-${events}.db`) }), { now: () => (clock += 1000) });
  await store.execute({ type: 'create_registry', registry: 'bench' }, context);
  for (let i = 0; i < PROFILES; i++) {
    await store.execute({ type: 'create_profile', registry: 'bench', slug: `p${i}`, fields: { runtime: { system_prompt: 'v0' } } }, context);
  }
  let written = PROFILES + 2; // the registry, the profiles and the first default
  const wave = 2000;
  while (written < events) {
    const count = Math.min(wave, events - written);
    await Promise.all(
      Array.from({ length: count }, (_, k) => {
        const n = written + k;
        return store.execute(
          { type: 'update_profile', registry: 'bench', slug: `p${n % PROFILES}`, fields: { runtime: { system_prompt: `v${n}`, tools: [`t${n % 7}`] } } },
          context,
        );
      }),
    );
    written += count;
  }
  return { store, lastMs: clock };
};

const timeReads = async (read: (k: number) => Promise<void>, reads: number): Promise<number[]> => {
  const samples: number[] = [];
  for (let k = 0; k < reads; k++) {
    const started = performance.now();
    await read(k);
    samples.push((performance.now() - started) * 1000);
  }
  return samples;
};

interface Setup {
  events: number;
  store: RegistryStore;
  app: FastifyInstance;
  buildSeconds: number;
  timeAt: (k: number) => number;
  versionAt: (k: number) => number;
}

const format = ({ median, p95 }: { median: number; p95: number }): string => `${median.toFixed(0)} / ${p95.toFixed(0)}`;

const main = async () => {
  const large = argValue('events', 100_000);
  const reads = argValue('reads', 300);
  const dir = mkdtempSync(join(tmpdir(), 'bench-as-of-'));
  try {
    // both histories first, then every measurement on both after the same warm-up, so that
    // neither size is measured on a colder process than the other
    const sizes = [100, large];
    const setups: Setup[] = [];
    for (const events of sizes) {
      const built = performance.now();
      const { store, lastMs } = await buildHistory(dir, events);
      const app = await buildApp({ store, logLevel: 'silent' });
      await app.ready();
      const span = lastMs - START_MS;
      setups.push({
        events,
        store,
        app,
        buildSeconds: (performance.now() - built) / 1000,
        // a deterministic spread of points over the whole history
        timeAt: (k: number) => START_MS + Math.floor((((k * 7919) % 1000) / 1000) * span),
        versionAt: (k: number) => 1 + ((k * 7919) % Math.floor(events / PROFILES)),
      });
    }
    const scenarios: [string, (setup: Setup, k: number) => Promise<void>, number][] = [
      [
        'profile ?as_of µs',
        async ({ app, timeAt }, k) => {
          const response = await app.inject({ method: 'GET', url: `/api/chat/profiles/p3?registry=bench&as_of=${timeAt(k)}` });
          if (response.statusCode !== 200 && response.statusCode !== 404) throw new Error(response.body);
        },
        reads,
      ],
      [
        'profile ?version µs',
        async ({ app, versionAt }, k) => {
          const response = await app.inject({ method: 'GET', url: `/api/chat/profiles/p3?registry=bench&version=${versionAt(k)}` });
          if (response.statusCode !== 200) throw new Error(response.body);
        },
        reads,
      ],
      [
        'registry ?as_of µs',
        async ({ app, timeAt }, k) => {
          const response = await app.inject({ method: 'GET', url: `/api/registries/bench?as_of=${timeAt(k)}` });
          if (response.statusCode !== 200 && response.statusCode !== 404) throw new Error(response.body);
        },
        reads,
      ],
      [
        'fold without snapshots µs',
        async ({ store, timeAt }, k) => {
          await registryStateAt(store.db, 'bench', { atMs: timeAt(k) }, { useSnapshots: false });
        },
        Math.max(5, Math.floor(reads / 30)),
      ],
    ];
    const rows: Record<string, string | number>[] = setups.map((setup) => ({ events: setup.events, 'build s': setup.buildSeconds.toFixed(1) }));
    const medians: Record<string, number[]> = {};
    for (const [name, read, count] of scenarios) {
      for (const setup of setups) await timeReads((k) => read(setup, k), Math.min(count, 50)); // warm-up
      for (const [index, setup] of setups.entries()) {
        const figures = summarize(await timeReads((k) => read(setup, k), count));
        rows[index][`${name} (median / p95)`] = format(figures);
        (medians[name] ??= []).push(figures.median);
      }
    }
    for (const setup of setups) {
      await setup.app.close();
      await setup.store.close();
    }
    console.log(`reads of the past, SQLite, ${PROFILES} profiles, ${reads} reads per figure (µs)`);
    console.table(rows);
    const ratios = Object.entries(medians)
      .map(([name, [small, big]]) => `${name.replace(' µs', '')} ${(big / small).toFixed(2)}x`)
      .join(', ');
    console.log(`median at ${large} events / median at 100 events: ${ratios}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
