import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Scenario } from './report.js';
import { withSameShapeProfiles } from './same-shape-profiles.js';
import type { ShapedHistory } from './shaped-history.js';
import { CLI, startServer, type RunningServer } from './spawn-server.js';

/** The clock of the shaped generator: command k happened at START + 7k (so a time names the same point of every store). */
const GENERATOR_START_MS = 1_771_880_000_000;

interface Probe {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: (store: ShapedHistory) => string;
  /** The body of request number `serial` (a write's must differ from the one before, or nothing is written). */
  body?: (store: ShapedHistory, serial: number) => unknown;
}

/** The requests issue 29 wants flat in the length of the history, each on the same profile or point of every store. */
export const PROBES: Probe[] = [
  { name: 'GET profile, hot profile', method: 'GET', path: ({ hot }) => `/api/chat/profiles/${hot.slug}?registry=${hot.registry}` },
  { name: 'resolve, stacked profile', method: 'GET', path: ({ stacked }) => `/api/chat/resolve/${stacked.slug}?registry=${stacked.registry}` },
  {
    name: 'PATCH description, hot profile (sequential)',
    method: 'PATCH',
    path: ({ hot }) => `/api/chat/profiles/${hot.slug}?registry=${hot.registry}`,
    body: (_, serial) => ({ description: `flatness probe ${Date.now()}-${serial}` }),
  },
  {
    name: 'history page, hot profile (?limit=100)',
    method: 'GET',
    path: ({ hot }) => `/api/chat/profiles/${hot.slug}/history?registry=${hot.registry}&limit=100`,
  },
  { name: 'history, cold profile', method: 'GET', path: ({ cold }) => `/api/chat/profiles/${cold.slug}/history?registry=${cold.registry}` },
  { name: 'diff v1→v2, hot profile', method: 'GET', path: ({ hot }) => `/api/chat/profiles/${hot.slug}/diff?registry=${hot.registry}&from=1&to=2` },
  {
    name: 'profile restore dry run, hot profile to v1',
    method: 'POST',
    path: ({ hot }) => `/api/chat/profiles/${hot.slug}/restore?registry=${hot.registry}`,
    body: () => ({ to_version: 1, dry_run: true }),
  },
  {
    name: "registry restore dry run to 10 edits after its profiles' creation",
    method: 'POST',
    path: ({ hot }) => `/api/registries/${hot.registry}/restore`,
    body: ({ profiles }) => ({ to_version: 1 + profiles / 20 + 10, dry_run: true }),
  },
  {
    name: 'registry as of a time 200 edits into the store',
    method: 'GET',
    path: ({ hot, profiles }) => `/api/registries/${hot.registry}?as_of=${GENERATOR_START_MS + 7 * (20 + profiles + 200)}`,
  },
  { name: 'profile ?version=2, hot profile', method: 'GET', path: ({ hot }) => `/api/chat/profiles/${hot.slug}?registry=${hot.registry}&version=2` },
  { name: 'profile ?version=2, stacked profile', method: 'GET', path: ({ stacked }) => `/api/chat/profiles/${stacked.slug}?registry=${stacked.registry}&version=2` },
];

/**
 * Requests of each probe not counted: they warm the server's caches and let V8 compile the
 * probe's path (with one, a 15-rep run once showed the hot history page at 1.8x the CPU on the
 * larger store; 200 reps of it gave the same CPU on both).
 */
const WARM_UP = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** A request's milliseconds, and the server's CPU milliseconds meanwhile (all its threads; the database server's not counted). */
const timed = async (server: RunningServer, url: string, probe: Probe, store: ShapedHistory, serial: number): Promise<{ ms: number; cpuMs: number }> => {
  const body = probe.body ? JSON.stringify(probe.body(store, serial)) : undefined;
  const cpuBefore = server.cpuNs();
  const started = performance.now();
  const response = await fetch(url, { method: probe.method, headers: body ? { 'content-type': 'application/json' } : {}, body });
  await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${probe.name}: ${response.status} from ${url}`);
  return { ms, cpuMs: (server.cpuNs() - cpuBefore) / 1e6 };
};

export interface FlatnessOptions {
  /**
   * Stores written by bench/generate-store.ts and rebuilt, smallest first: a SQLite FILE.db (with
   * its FILE.db.json), or the JSON of a PostgreSQL one (it names the URL and schema).
   */
  stores: string[];
  /** The CLI to serve them with (another build's, to compare). */
  cli?: string;
  label?: string;
  reps: number;
  log: (message: string) => void;
}

/**
 * Each probe on every store, the stores' servers taking turns request by request (the machine's
 * load falls on all alike), median milliseconds each, and the largest store's over the smallest's.
 */
export const measureHistoryFlatness = async (options: FlatnessOptions): Promise<Scenario[]> => {
  // the PATCH probe writes: SQLite stores are served from copies, the given files stay as they are
  const copies = mkdtempSync(join(tmpdir(), 'history-flatness-'));
  const servers = [];
  try {
    const stores = options.stores.map((path, index) => storeOf(path, join(copies, `${index}-${basename(path)}`)));
    for (const { path, database } of stores) {
      options.log(`history flatness: serving ${path}${options.label ? ` (${options.label})` : ''}`);
      // the whole chain checked before it listens: a check running beside the requests would weigh on the larger store's more
      const args = ['serve', '--port', '{port}', ...database, '--log-level', 'warn', '--no-seed', '--chain-check', 'before-listen'];
      servers.push(await startServer(options.cli ?? CLI, args, { healthTimeoutMs: 60 * 60_000 }));
    }
    const shapes = await withSameShapeProfiles(
      servers.map((server, index) => ({ url: server.url, shape: stores[index]!.shape })),
      options.log,
    );
    const scenarios: Scenario[] = [];
    for (const probe of PROBES) {
      const times: number[][] = stores.map(() => []);
      const cpuTimes: number[][] = stores.map(() => []);
      for (let rep = 0; rep < WARM_UP + options.reps; rep++) {
        for (const [index, server] of servers.entries()) {
          const { ms, cpuMs } = await timed(server, `${server.url}${probe.path(shapes[index]!)}`, probe, shapes[index]!, rep);
          if (rep < WARM_UP) continue;
          times[index]!.push(ms);
          cpuTimes[index]!.push(cpuMs);
        }
      }
      const medians = times.map(median);
      const cpuMedians = cpuTimes.map(median);
      const ratio = medians.at(-1)! / medians[0]!;
      const figures = Object.fromEntries(
        shapes.flatMap((shape, index) => {
          const events = shape.events.toLocaleString('en-US');
          return [
            [`ms at ${events} events`, medians[index]!.toFixed(1)],
            [`server CPU ms at ${events}`, cpuMedians[index]!.toFixed(1)],
          ];
        }),
      );
      scenarios.push({
        name: `${probe.name}${options.label ? `, ${options.label}` : ''}`,
        figures: { ...figures, 'largest / smallest': `${ratio.toFixed(2)}×`, 'CPU largest / smallest': `${(cpuMedians.at(-1)! / cpuMedians[0]!).toFixed(2)}×` },
        goal: { text: 'largest ≤ 1.2 × smallest', met: () => ratio <= 1.2 },
      });
    }
    return scenarios;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(copies, { recursive: true, force: true });
  }
};

/** A store's shape and the serve options that name its database (for SQLite, `copy`, made now). */
const storeOf = (path: string, copy: string): { path: string; shape: ShapedHistory; database: string[] } => {
  if (path.endsWith('.json')) {
    const shape = JSON.parse(readFileSync(path, 'utf8')) as ShapedHistory & { postgres?: { dsn: string; schema: string } };
    if (!shape.postgres) throw new Error(`${path} names no PostgreSQL store: give a SQLite store by its .db file`);
    return { path, shape, database: ['--profile-registry-dsn', shape.postgres.dsn, '--pg-schema', shape.postgres.schema] };
  }
  for (const suffix of ['', '-wal']) if (existsSync(`${path}${suffix}`)) copyFileSync(`${path}${suffix}`, `${copy}${suffix}`);
  return { path, shape: JSON.parse(readFileSync(`${path}.json`, 'utf8')) as ShapedHistory, database: ['--profile-registry-db', copy] };
};
