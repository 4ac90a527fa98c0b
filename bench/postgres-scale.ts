import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generatePatches, generateProfiles, generateRegistries } from './lib/generate-data.js';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { epochMs } from './lib/epoch-clock.js';
import { observedBetween, readHistogram } from './lib/server-histogram.js';
import { openWatchers } from './lib/sse-watchers.js';
import { CLI, HELLO, startServer, type RunningServer } from './lib/spawn-server.js';

/**
 * PostgreSQL against SQLite, and two instances on one PostgreSQL against one, in one run:
 *   node dist/bench/postgres-scale.js [--duration 5] [--rounds 3] [--pg postgres://postgres@127.0.0.1:5432/test] [--tiny]
 *     [--watchers 1000] [--watcher-processes 4] [--commits 100] [--watch-only]
 * Reads are measured in rounds (hello-world, then SQLite and PostgreSQL in turn) and reported as
 * medians of each round's ratios, so that a machine whose load drifts compares like with like.
 * Every server is the built CLI in a process of its own; the load (autocannon) runs in this one,
 * the SSE watchers in `--watcher-processes` others. `--watch-only` measures only the watchers.
 * Prints a Markdown table (ratios to the same run's hello-world and SQLite figures).
 */
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    pg: { type: 'string', default: process.env.PROFILE_REGISTRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    tiny: { type: 'boolean', default: false },
    watchers: { type: 'string', default: '1000' },
    increments: { type: 'string', default: '5000' },
    'reads-only': { type: 'boolean', default: false },
    'watch-only': { type: 'boolean', default: false },
    'watcher-processes': { type: 'string', default: '4' },
    commits: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
  },
});
const durationSec = flags.tiny ? 1 : Number(flags.duration);
const profilesTotal = flags.tiny ? 100 : 1000;
const registriesTotal = 10;
const watchers = flags.tiny ? 20 : Number(flags.watchers);
const increments = flags.tiny ? 100 : Number(flags.increments);
const rounds = flags.tiny ? 1 : Number(flags.rounds);
const commits = flags.tiny ? 3 : Number(flags.commits);
const log = (message: string) => process.stderr.write(`[bench:pg] ${message}\n`);

const rows: string[] = [];
const row = (cells: (string | number)[]) => {
  rows.push(`| ${cells.join(' | ')} |`);
  log(rows[rows.length - 1]);
};
const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

// the bench's watchers all come from one address: past the default per-client cap they would get 429
const registryServer = (databaseFlags: string[]) =>
  startServer(CLI, ['serve', '--port', '{port}', '--log-level', 'warn', '--no-seed', '--max-watchers-per-client', String(watchers + 10), ...databaseFlags]);

const seed = async (server: RunningServer) => {
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
  await sendAll(generateRegistries(registriesTotal), 8, (body) => jsonRequest(`${server.url}/api/registries`, 'POST', body));
  const profiles = generateProfiles(profilesTotal, registriesTotal);
  await sendAll(profiles, 16, (body) => jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body));
  const target = profiles[profiles.length - 1] as { registry: string; slug: string };
  return { target, defaultSlugs: profiles.filter((p) => p.registry === 'default').map((p) => p.slug) };
};

const patches = generatePatches(profilesTotal, registriesTotal, flags.tiny ? 200 : 20_000)
  .filter((patch) => patch.registry === 'default')
  .map((patch) => ({ path: `/api/chat/profiles/${patch.slug}?registry=default`, body: JSON.stringify(patch.body) }));

/** Loads several servers at once (connections split evenly) and sums what they served. */
const loadAll = async (servers: RunningServer[], connections: number, path: (server: RunningServer) => string, method: 'GET' | 'PATCH') => {
  const before = servers.map((server) => cpuSeconds(server.child.pid as number));
  const started = performance.now();
  const results = await Promise.all(
    servers.map((server) =>
      runLoad({
        url: method === 'GET' ? `${server.url}${path(server)}` : server.url,
        connections: connections / servers.length,
        durationSec,
        method,
        cycle: method === 'PATCH' ? patches : undefined,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = servers.map((server, index) => (cpuSeconds(server.child.pid as number) - before[index]) / seconds);
  const total: LoadResult = {
    requestsPerSec: results.reduce((sum, r) => sum + r.requestsPerSec, 0),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
  return { total, cpu };
};

const describeLoad = (load: LoadResult) =>
  `${fmt(load.requestsPerSec)}${load.non2xx + load.errors > 0 ? ` (${load.non2xx} non-2xx, ${load.errors} errors)` : ''}`;

/** 5,000 read-modify-write increments of one counter through If-Match, split across the servers. */
const contendedIncrements = async (servers: RunningServer[], total: number) => {
  const url = (server: RunningServer) => `${server.url}/api/chat/profiles/counter?registry=default`;
  await jsonRequest(`${servers[0].url}/api/chat/profiles`, 'POST', { registry: 'default', slug: 'counter', extensions: { 'bench.counter@v1': { n: 0 } } });
  let done = 0;
  let retries = 0;
  const worker = async (server: RunningServer) => {
    while (done < total) {
      done += 1;
      for (;;) {
        const read = await fetch(url(server));
        const document = (await read.json()) as { extensions: Record<string, { n: number }> };
        const n = document.extensions['bench.counter@v1'].n;
        const write = await fetch(url(server), {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'if-match': read.headers.get('etag') ?? '' },
          body: JSON.stringify({ extensions: { 'bench.counter@v1': { n: n + 1 } } }),
        });
        await write.arrayBuffer();
        if (write.status === 200) break;
        if (write.status !== 412 && write.status !== 409) throw new Error(`increment answered ${write.status}`);
        retries += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 4 }, (_, index) => worker(servers[index % servers.length])));
  const seconds = (performance.now() - started) / 1000;
  const finals = await Promise.all(
    servers.map(async (server) => ((await (await fetch(url(server))).json()) as { extensions: Record<string, { n: number }> }).extensions['bench.counter@v1'].n),
  );
  return { finals, retries, seconds };
};

/**
 * When each commit happened, as PostgreSQL tells its listeners: a connection of this process
 * LISTENs on the channel the instances announce commits on ('profile_registry_' || md5(schema)),
 * so a watcher's delay is measured from the commit itself, on this process's clock.
 */
const observeCommits = async (schema: string) => {
  const client = new pg.Client({ connectionString: flags.pg });
  await client.connect();
  let waiting: ((at: number) => void) | undefined;
  client.on('notification', () => {
    const at = epochMs();
    waiting?.(at);
    waiting = undefined;
  });
  await client.query(`LISTEN "profile_registry_${createHash('md5').update(schema).digest('hex')}"`);
  return { nextCommit: () => new Promise<number>((resolve) => (waiting = resolve)), close: () => client.end() };
};

/** Watchers on one instance, PATCHes one at a time on the other: from the commit (and from the write sent) to each watcher holding it. */
/** Commits before the measured ones: the watched instance, just started, compiles its delivery path on the first few. */
const WARM_UP_COMMITS = 10;
const FEED_DELIVERY = 'profile_registry_change_feed_delivery_seconds';

const crossInstanceWatchLatency = async (writer: RunningServer, watched: RunningServer, schema: string, count: number, commits: number) => {
  const watching = await openWatchers(watched.url, count, Number(flags['watcher-processes']));
  const observer = await observeCommits(schema);
  await new Promise((resolve) => setTimeout(resolve, 500));
  /** From the commit (PostgreSQL's notification to this process) to each watcher's delivery. */
  const fromCommit: number[] = [];
  const latencies: number[] = [];
  /** The PATCH's own round trip (its commit included): the part of each latency that is the write. */
  const writes: number[] = [];
  const commit = async (description: string) => {
    const delivery = watching.nextDelivery();
    const committed = observer.nextCommit();
    const sent = epochMs();
    const response = await jsonRequest(`${writer.url}/api/chat/profiles/counter?registry=default`, 'PATCH', { description });
    if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
    await response.arrayBuffer();
    return { sent, written: epochMs(), commitAt: await committed, arrivals: await delivery };
  };
  try {
    for (let i = 0; i < WARM_UP_COMMITS; i++) await commit(`warm-up ${i}`);
    const before = await readHistogram(watched.url, FEED_DELIVERY);
    const cpuBefore = cpuSeconds(watched.child.pid as number);
    for (let i = 0; i < commits; i++) {
      const { sent, written, commitAt, arrivals } = await commit(`commit ${i}`);
      writes.push(written - sent);
      for (const at of arrivals) {
        latencies.push(at - sent);
        fromCommit.push(at - commitAt);
      }
    }
    // the watched instance's own figures: from its read of the new commit to its last watcher
    // written, and its CPU time per commit (which the machine's load does not stretch)
    const cpuMsPerCommit = ((cpuSeconds(watched.child.pid as number) - cpuBefore) * 1000) / commits;
    const server = { ...observedBetween(before, await readHistogram(watched.url, FEED_DELIVERY), [0.5, 0.99]), cpuMsPerCommit };
    const sorted = (values: number[]) => values.sort((a, b) => a - b);
    return { fromCommit: sorted(fromCommit), latencies: sorted(latencies), writes: sorted(writes), server };
  } finally {
    watching.close();
    await observer.close();
  }
};

/** Measures the watchers on `second` while `first` takes the writes (the counter profile must exist) and adds the row. */
const watchLatencyRow = async (first: RunningServer, second: RunningServer, schema: string) => {
  log(`commit-to-watcher latency across two instances, ${watchers} watchers in ${flags['watcher-processes']} processes, ${commits} commits`);
  const { fromCommit, latencies, writes, server } = await crossInstanceWatchLatency(first, second, schema, watchers, commits);
  row([
    `commit-to-watcher latency across two instances (${fmt(watchers)} SSE watchers on B read by ${flags['watcher-processes']} processes, ${fmt(commits)} PATCHes on A after ${WARM_UP_COMMITS} unmeasured, one at a time; from the commit, as PostgreSQL notifies it)`,
    `p50 ms ${fmt(percentile(fromCommit, 50), 2)}, p99 ms ${fmt(percentile(fromCommit, 99), 2)}, max ${fmt(fromCommit[fromCommit.length - 1] ?? 0, 2)}; from the PATCH sent: p50 ms ${fmt(percentile(latencies, 50), 2)}, p99 ms ${fmt(percentile(latencies, 99), 2)}; the PATCH's own round trip: p50 ms ${fmt(percentile(writes, 50), 2)}, p99 ms ${fmt(percentile(writes, 99), 2)}; B itself, from its read to its last watcher written (${server.count} reads): mean ms ${fmt(server.meanMs, 2)}, p50 ≤ ${fmt(server.atMostMs[0], 1)}, p99 ≤ ${fmt(server.atMostMs[1], 1)}, CPU ms per commit ${fmt(server.cpuMsPerCommit, 1)}`,
    '', '', '', percentile(fromCommit, 99) <= 50 ? 'p99 ≤ 50 ms: met' : 'p99 ≤ 50 ms: **not met**', '',
  ]);
};

/** Only the watchers: two instances on a fresh schema, one profile written over and over. */
const watchOnly = async (servers: RunningServer[], dsn: string, schema: string) => {
  const first = await registryServer(['--profile-registry-dsn', dsn]);
  servers.push(first);
  const second = await registryServer(['--profile-registry-dsn', dsn]);
  servers.push(second);
  await jsonRequest(`${first.url}/api/registries`, 'POST', { slug: 'default' });
  await jsonRequest(`${first.url}/api/chat/profiles`, 'POST', { registry: 'default', slug: 'counter' });
  await watchLatencyRow(first, second, schema);
};

/** Everything: reads, writes, increments and the watchers. */
const fullRun = async (servers: RunningServer[], dir: string, dsn: string, schema: string) => {
  // hello-world, SQLite and PostgreSQL all up at once, measured in turn, round after round: on a
  // shared machine whose load drifts, each round's ratios compare figures taken seconds apart
  const hello = await startServer(HELLO, []);
  servers.push(hello);
  log('SQLite and PostgreSQL (one instance), seeded alike');
  const sqlite = await registryServer(['--profile-registry-db', join(dir, 'bench.db')]);
  servers.push(sqlite);
  const { target } = await seed(sqlite);
  const first = await registryServer(['--profile-registry-dsn', dsn]);
  servers.push(first);
  await seed(first);
  const backends: [string, RunningServer][] = [['SQLite', sqlite], ['PostgreSQL', first]];
  const reads: [string, string][] = [
    ['GET profile (50 conns)', `/api/chat/profiles/${target.slug}?registry=${target.registry}`],
    ['resolve (50 conns)', `/api/chat/resolve/${target.slug}?registry=${target.registry}`],
  ];
  const helloRounds: number[] = [];
  const readRounds = new Map<string, { load: LoadResult; cpu: number[] }[]>();
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round} of ${rounds}: hello-world, then each read on SQLite and PostgreSQL`);
    helloRounds.push((await runLoad({ url: `${hello.url}/hello`, connections: 50, durationSec })).requestsPerSec);
    for (const [name, path] of reads) {
      // each backend goes first in every other round, so that a drift of the machine favours neither
      for (const [backend, server] of round % 2 === 1 ? backends : [...backends].reverse()) {
        const { total, cpu } = await loadAll([server], 50, () => path, 'GET');
        const key = `${backend}: ${name}`;
        readRounds.set(key, [...(readRounds.get(key) ?? []), { load: total, cpu }]);
      }
    }
  }
  const baseline = median(helloRounds);
  row([`hello-world baseline (GET, 50 conns; median of ${rounds} rounds: ${helloRounds.map((r) => fmt(r)).join(', ')})`, fmt(baseline), '', '', '1.00×', '', '']);
  const measured: Record<string, Record<string, { load: LoadResult; cpu: number[] }>> = { SQLite: {}, PostgreSQL: {} };
  for (const [name] of reads) {
    const sqliteRounds = readRounds.get(`SQLite: ${name}`) ?? [];
    for (const [backend] of backends) {
      const samples = readRounds.get(`${backend}: ${name}`) ?? [];
      // the round with the median throughput stands for the backend; ratios are medians of each round's ratio
      const typical = [...samples].sort((a, b) => a.load.requestsPerSec - b.load.requestsPerSec)[Math.floor(samples.length / 2)];
      measured[backend][name] = typical;
      const perHello = median(samples.map((sample, i) => sample.load.requestsPerSec / helloRounds[i]));
      const perSqlite = median(samples.map((sample, i) => sample.load.requestsPerSec / sqliteRounds[i].load.requestsPerSec));
      row([
        `${backend}: ${name} (rounds: ${samples.map((sample) => fmt(sample.load.requestsPerSec)).join(', ')})`,
        describeLoad(typical.load), fmt(typical.load.p50Ms, 1), fmt(typical.load.p99Ms, 1),
        `${fmt(perHello, 2)}×`, `${fmt(perSqlite, 2)}×`, typical.cpu.map((c) => fmt(c, 2)).join(' '),
      ]);
    }
  }
  if (!flags['reads-only']) {
    const name = 'PATCH durable, registry of 100 (50 conns)';
    for (const [backend, server] of backends) {
      log(`${backend}: ${name}`);
      const { total, cpu } = await loadAll([server], 50, () => '', 'PATCH');
      measured[backend][name] = { load: total, cpu };
    }
    const sqliteLoad = measured.SQLite[name].load;
    for (const [backend] of backends) {
      const { load, cpu } = measured[backend][name];
      row([`${backend}: ${name}`, describeLoad(load), fmt(load.p50Ms, 1), fmt(load.p99Ms, 1), `${fmt(load.requestsPerSec / baseline, 2)}×`, `${fmt(load.requestsPerSec / sqliteLoad.requestsPerSec, 2)}×`, cpu.map((c) => fmt(c, 2)).join(' ')]);
    }
  }
  await hello.stop();
  await sqlite.stop();
  servers.splice(0, servers.length, first);

  log('PostgreSQL, two instances');
  const second = await registryServer(['--profile-registry-dsn', dsn]);
  servers.push(second);
  const getPath = () => `/api/chat/profiles/${target.slug}?registry=${target.registry}`;
  const twoInstanceScenarios = [['GET profile (50 conns)', 'GET'], ['PATCH durable, registry of 100 (50 conns)', 'PATCH']] as const;
  for (const [name, method] of flags['reads-only'] ? twoInstanceScenarios.slice(0, 1) : twoInstanceScenarios) {
    const one = measured.PostgreSQL[name];
    const { total, cpu } = await loadAll([first, second], 50, getPath, method);
    row([`PostgreSQL, two instances (25 conns each): ${name}`, describeLoad(total), fmt(total.p50Ms, 1), fmt(total.p99Ms, 1), `${fmt(total.requestsPerSec / baseline, 2)}×`, `${fmt(total.requestsPerSec / one.load.requestsPerSec, 2)}× one instance`, cpu.map((c) => fmt(c, 2)).join(' + ')]);
  }

  if (!flags['reads-only']) {
    log(`${increments} contended increments across both`);
    const counted = await contendedIncrements([first, second], increments);
    row([
      `${fmt(increments)} read-modify-write increments (If-Match) of one counter, 4 clients split across both instances`,
      `final value ${counted.finals.join(' / ')} (expected ${increments}), ${fmt(counted.retries)} retries after 412, ${fmt(counted.seconds, 1)} s`,
      '', '', '', counted.finals.every((n) => n === increments) ? 'no lost update' : '**LOST UPDATES**', '',
    ]);
    await watchLatencyRow(first, second, schema);
  }
};

const main = async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-bench-pg-'));
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: flags.pg });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const dsn = `${flags.pg}${flags.pg.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const servers: RunningServer[] = [];
  const stopAll = async () => {
    for (const server of servers.splice(0)) await server.stop();
  };
  try {
    if (flags['watch-only']) await watchOnly(servers, dsn, schema);
    else await fullRun(servers, dir, dsn, schema);
  } finally {
    await stopAll();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Run on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, Node ${process.version}.`);
  console.log(`Command: \`node dist/bench/postgres-scale.js ${process.argv.slice(2).join(' ')}\` (took ${fmt((Date.now() - started) / 1000)} s); PostgreSQL 15 on the same machine.`);
  console.log('');
  console.log('| scenario | throughput (req/s) or figures | p50 ms | p99 ms | × hello-world | × SQLite (or as said) | server CPU (cores) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const line of rows) console.log(line);
};

await main();
