/**
 * Reads of the past at 100 and at 100,000 events of history, in one run (SQLite file, app.inject).
 * Both registries hold the same 20 profiles; only the length of their history differs, so equal
 * timings mean a read of the past costs the same whatever lies behind it (snapshots + short fold).
 *
 *   npm run build && node dist/bench/as-of-read.js [--events 100000] [--reads 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/events/open-database.js';
import { buildApp } from '../src/http/build-app.js';
import { createRegistryStore } from '../src/projections/registry-store.js';
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
  for (let k = 0; k < 20; k++) await read(k); // warm-up
  const samples: number[] = [];
  for (let k = 0; k < reads; k++) {
    const started = performance.now();
    await read(k);
    samples.push((performance.now() - started) * 1000);
  }
  return samples;
};

const main = async () => {
  const large = argValue('events', 100_000);
  const reads = argValue('reads', 300);
  const dir = mkdtempSync(join(tmpdir(), 'bench-as-of-'));
  const rows: Record<string, string | number>[] = [];
  try {
    const results: Record<number, { asOf: number; version: number }> = {};
    for (const events of [100, large]) {
      const built = performance.now();
      const { store, lastMs } = await buildHistory(dir, events);
      const buildSeconds = (performance.now() - built) / 1000;
      const app = await buildApp({ store, logLevel: 'silent' });
      await app.ready();
      const span = lastMs - START_MS;
      // deterministic spread of points over the whole history
      const timeAt = (k: number) => START_MS + Math.floor(((k * 7919) % 1000) / 1000 * span);
      const asOf = summarize(
        await timeReads(async (k) => {
          const response = await app.inject({ method: 'GET', url: `/api/chat/profiles/p3?registry=bench&as_of=${timeAt(k)}` });
          if (response.statusCode !== 200 && response.statusCode !== 404) throw new Error(response.body);
        }, reads),
      );
      const maxProfileVersion = Math.floor(events / PROFILES);
      const version = summarize(
        await timeReads(async (k) => {
          const v = 1 + ((k * 7919) % maxProfileVersion);
          const response = await app.inject({ method: 'GET', url: `/api/chat/profiles/p3?registry=bench&version=${v}` });
          if (response.statusCode !== 200) throw new Error(response.body);
        }, reads),
      );
      const registryAsOf = summarize(
        await timeReads(async (k) => {
          const response = await app.inject({ method: 'GET', url: `/api/registries/bench?as_of=${timeAt(k)}` });
          if (response.statusCode !== 200 && response.statusCode !== 404) throw new Error(response.body);
        }, reads),
      );
      const noSnapshots = summarize(
        await timeReads(async (k) => {
          await registryStateAt(store.db, 'bench', { atMs: timeAt(k) }, { useSnapshots: false });
        }, Math.max(5, Math.floor(reads / 30))),
      );
      results[events] = { asOf: asOf.median, version: version.median };
      rows.push({
        events,
        'build s': buildSeconds.toFixed(1),
        'profile ?as_of µs (median / p95)': `${asOf.median.toFixed(0)} / ${asOf.p95.toFixed(0)}`,
        'profile ?version µs': `${version.median.toFixed(0)} / ${version.p95.toFixed(0)}`,
        'registry ?as_of µs': `${registryAsOf.median.toFixed(0)} / ${registryAsOf.p95.toFixed(0)}`,
        'fold without snapshots µs': `${noSnapshots.median.toFixed(0)} / ${noSnapshots.p95.toFixed(0)}`,
      });
      await app.close();
      await store.close();
    }
    console.log(`as-of reads, SQLite, ${PROFILES} profiles, ${reads} reads per figure (median / p95 in µs)`);
    console.table(rows);
    console.log(
      `ratio ${large} / 100 events: profile ?as_of ${(results[large].asOf / results[100].asOf).toFixed(2)}x, profile ?version ${(results[large].version / results[100].version).toFixed(2)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
