import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { descriptionPatchCycle, runLoad, type LoadResult } from './lib/load.js';
import { generatePatches } from './lib/generate-data.js';
import { seedStore } from './lib/seed-store.js';
import { answerBytes } from './lib/http-client.js';
import { HELLO, startRegistryServer, startServer, type RunningServer } from './lib/spawn-server.js';
import { writeReport, type Scenario } from './lib/report.js';
import { measureLargeHistory } from './lib/large-history.js';
import { measureRebuild } from './lib/rebuild-rate.js';
import { eventTotal } from './lib/event-total.js';
import { measureWatchLatency } from './lib/watch-latency-scenario.js';
import { measureStartupRatio } from './lib/startup-ratio.js';
import { measureHistoryFlatness } from './lib/history-flatness.js';
import { measureConsoleScale } from './lib/console-scale.js';
import { measurePostgresWriteRatio } from './lib/postgres-write-ratio.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    tiny: { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    'large-events': { type: 'string', default: '1000000' },
    'large-profiles': { type: 'string', default: '100000' },
    output: { type: 'string', default: 'docs/BENCHMARKS.md' },
    // stores of bench/generate-store.ts (rebuilt), smallest first, SQLite A.db or PostgreSQL A.pg.json: issue 29's requests on each
    'history-stores': { type: 'string' },
    // a large store of bench/generate-store.ts (rebuilt): start-up on it beside the empty database's
    'startup-store': { type: 'string' },
    // PostgreSQL for the PATCH ratio against SQLite (skipped when it does not answer)
    pg: { type: 'string', default: process.env.PROFILE_REGISTRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});

const durationSec = flags.tiny ? 1 : Number(flags.duration);
const profilesTotal = flags.tiny ? 200 : 1000;
const registriesTotal = 10; // 100 profiles per registry at the default size
const patchCount = flags.tiny ? 500 : 20_000;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const ratio = (value: number, baseline: number) => (baseline > 0 ? value / baseline : 0);

const main = async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'profile-registry-bench-'));
  const scenarios: Scenario[] = [];
  const started = Date.now();
  try {
    log('baseline: bare Fastify hello-world');
    const hello = await startServer(HELLO, []);
    const baseline = await runLoad({ url: `${hello.url}/hello`, connections: 50, durationSec });
    await hello.stop();
    scenarios.push({ name: 'hello-world baseline (GET, 50 conns)', load: baseline, ratio: 1 });

    log('start-up against hello-world');
    scenarios.push(...(await measureStartupRatio(flags.tiny ? 1 : 5, undefined, flags['startup-store'])));

    log('registry server on a fresh SQLite file');
    const server = await startRegistryServer(join(workDir, 'bench.db'));
    const profiles = await seedStore(server.url, profilesTotal, registriesTotal);
    const target = profiles[profiles.length - 1] as { registry: string; slug: string };
    const profileUrl = `${server.url}/api/chat/profiles/${target.slug}?registry=${target.registry}`;
    const etag = (await fetch(profileUrl)).headers.get('etag') ?? '';

    const http = async (name: string, load: Promise<LoadResult>, goal?: Scenario['goal']) => {
      log(name);
      const result = await load;
      scenarios.push({ name, load: result, ratio: ratio(result.requestsPerSec, baseline.requestsPerSec), goal });
      return result;
    };
    await http('GET profile (50 conns)', runLoad({ url: profileUrl, connections: 50, durationSec }), {
      text: '≥ 0.8 × hello-world',
      met: (s) => (s.ratio ?? 0) >= 0.8,
    });
    await http(
      'conditional GET → 304 (50 conns)',
      runLoad({ url: profileUrl, connections: 50, durationSec, headers: { 'if-none-match': etag }, expectStatus: 304 }),
      { text: '≥ 0.9 × hello-world', met: (s) => (s.ratio ?? 0) >= 0.9 },
    );
    await http(
      `list profiles of a registry of ${profilesTotal / registriesTotal} (50 conns)`,
      runLoad({ url: `${server.url}/api/chat/profiles?registry=default`, connections: 50, durationSec }),
    );
    const resolveUrl = `${server.url}/api/chat/resolve/${target.slug}?registry=${target.registry}`;
    const resolveProbe = await fetch(resolveUrl);
    if (resolveProbe.status !== 404) {
      await http(
        'resolve (50 conns)',
        runLoad({ url: resolveUrl, connections: 50, durationSec }),
        { text: '≥ 0.7 × hello-world', met: (s) => (s.ratio ?? 0) >= 0.7 },
      );
    } else scenarios.push({ name: 'resolve', skipped: 'no /api/chat/resolve route in this build' });
    // the ceilings of those ratios: as many bytes answered by a bare route (the transport's and the client's share)
    const bare = await startServer(HELLO, []);
    try {
      const reads: [string, string][] = [['GET profile', profileUrl]];
      if (resolveProbe.status !== 404) reads.push(['resolve', resolveUrl]);
      for (const [read, url] of reads) {
        const bytes = await answerBytes(url);
        await http(`bare Fastify route answering as many bytes as ${read}, ${bytes.toLocaleString('en-US')} (50 conns)`, runLoad({ url: `${bare.url}/bytes/${bytes}`, connections: 50, durationSec }));
      }
    } finally {
      await bare.stop();
    }

    const patches = generatePatches(profilesTotal, registriesTotal, patchCount);
    const cycleOf = (selected: typeof patches) =>
      selected.map((patch) => ({
        path: `/api/chat/profiles/${patch.slug}?registry=${patch.registry}`,
        body: JSON.stringify(patch.body),
      }));
    const oneRegistry = cycleOf(patches.filter((patch) => patch.registry === 'default'));
    const patchLoad = (connections: number, cycle = oneRegistry) =>
      runLoad({ url: server.url, connections, durationSec, method: 'PATCH', cycle });
    const perRegistry = profilesTotal / registriesTotal;
    await http(`PATCH durable, registry of ${perRegistry} (1 conn)`, patchLoad(1), {
      text: 'p50 ≤ 2 ms',
      met: (s) => (s.load?.p50Ms ?? 99) <= 2,
    });
    const patch50 = await http(`PATCH durable, registry of ${perRegistry} (50 conns)`, patchLoad(50), {
      text: '≥ 4,000 writes/s, p99 ≤ 25 ms',
      met: (s) => (s.load?.requestsPerSec ?? 0) >= 4000 && (s.load?.p99Ms ?? 99) <= 25,
    });
    await http(`PATCH durable, spread over ${registriesTotal} registries (50 conns)`, patchLoad(50, cycleOf(patches)));
    const defaultSlugs = profiles.filter((profile) => profile.registry === 'default').map((profile) => profile.slug);
    const smallHistoryEvents = await eventTotal(server.url);
    const descriptionPatch = await http(
      `PATCH description, registry of ${perRegistry} (50 conns), ${smallHistoryEvents.toLocaleString('en-US')} events of history`,
      runLoad({ url: server.url, connections: 50, durationSec, method: 'PATCH', cycle: descriptionPatchCycle('default', defaultSlugs) }),
    );
    await server.stop();

    log('PATCH on PostgreSQL against SQLite');
    scenarios.push(
      await measurePostgresWriteRatio({ workDir, pgUrl: flags.pg as string, durationSec, rounds: flags.tiny ? 1 : 3, profiles: flags.tiny ? 20 : 200, log }),
    );

    scenarios.push(await measureRebuild(join(workDir, 'bench.db')));
    log('commit-to-watcher latency');
    scenarios.push(await measureWatchLatency(flags.tiny ? 5 : 1000, flags.tiny ? 3 : 100));

    if (flags.large) {
      scenarios.push(
        ...(await measureLargeHistory({
          workDir,
          events: Number(flags['large-events']),
          profiles: Number(flags['large-profiles']),
          durationSec,
          baselineRps: baseline.requestsPerSec,
          smallPatchRps: descriptionPatch.requestsPerSec,
          log,
        })),
      );
    } else scenarios.push({ name: 'large history (1M events, 100k profiles)', skipped: 'run with --large' });

    if (flags['history-stores']) {
      const stores = flags['history-stores'].split(',');
      scenarios.push(...(await measureHistoryFlatness({ stores, reps: flags.tiny ? 1 : 9, log })));
    } else scenarios.push({ name: 'history reads flat from 100,000 to 1,000,000 events', skipped: 'run with --history-stores A.db,B.db or A.pg.json,B.pg.json (bench/generate-store.ts)' });

    log('console at scale in Chromium');
    const consoleScale = await measureConsoleScale({
      workDir,
      profiles: flags.tiny ? 500 : 5000,
      events: flags.tiny ? 2000 : 20_000,
      rounds: flags.tiny ? 1 : 5,
      log,
    });
    if ('skipped' in consoleScale) scenarios.push({ name: 'console at scale (5,000 profiles, 20,000 events)', skipped: consoleScale.skipped });
    else scenarios.push(...consoleScale.scenarios);

    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
    writeReport(flags.output as string, { command, scenarios, elapsedSec: (Date.now() - started) / 1000 });
    log(`report written to ${flags.output}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
};

await main();
