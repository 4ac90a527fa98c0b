import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/load.js';
import { seedStore } from './lib/seed-store.js';
import { answerBytes } from './lib/http-client.js';
import { CLI, HELLO, startServer, type RunningServer } from './lib/spawn-server.js';

/**
 * The reads of `npm run bench` (GET profile, conditional GET → 304, resolve) against the bare
 * hello-world route, as server CPU per request, which the machine's load changes far less than
 * throughput; beside them the same bare server answering as many bytes as the GET and the resolve
 * (the share of the answer's size, which no work of the service adds):
 *   node dist/bench/read-cpu.js [--rounds 5] [--duration 3] [--scenarios get,304,resolve,bytes]
 *     [--server-node-args="--cpu-prof --cpu-prof-dir=DIR"] (both servers)
 * Each round drives every scenario once, in turn (the order reversed every other round), and reads
 * the server's utime + stime (/proc/PID/stat) before and after; the table gives medians of the
 * rounds: CPU µs per request, throughput, and both as ratios to hello-world's of the same round.
 * `--compare DIR` also runs DIR's built server (another checkout, seeded the same way) in each round.
 */
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'server-node-args': { type: 'string' },
    // another checkout's root (built): its server is measured in the same rounds, as "… (DIR)"
    compare: { type: 'string' },
    // a comma-separated subset of: hello-world, get, 304, resolve, bytes (hello-world is always measured;
    // bytes: the hello-world server's bare route answering as many bytes as the GET and the resolve)
    scenarios: { type: 'string', default: 'get,304,resolve,bytes' },
  },
});
const rounds = Number(flags.rounds);
const durationSec = Number(flags.duration);
const connections = Number(flags.connections);
const log = (message: string) => process.stderr.write(`[read-cpu] ${message}\n`);

/** CPU milliseconds a process has used, all its threads (utime + stime, at 100 ticks a second). */
const cpuMsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Scenario {
  key: string;
  name: string;
  server: RunningServer;
  url: string;
  headers?: Record<string, string>;
  expectStatus?: number;
}

const workDir = mkdtempSync(join(tmpdir(), 'profile-registry-read-cpu-'));
const servers: RunningServer[] = [];
try {
  const nodeArgs = flags['server-node-args']?.split(' ') ?? [];
  const hello = await startServer(HELLO, [], { nodeArgs });
  servers.push(hello);
  const wanted = new Set(['hello-world', ...(flags.scenarios as string).split(',')]);
  const scenarios: Scenario[] = [{ key: 'hello-world', name: 'hello-world', server: hello, url: `${hello.url}/hello` }];
  const builds: [string, string][] = [['', CLI]];
  if (flags.compare !== undefined) builds.push([` (${flags.compare})`, join(flags.compare, 'dist/src/cli/main.js')]);
  for (const [suffix, cli] of builds) {
    const dbPath = join(workDir, `bench${servers.length}.db`);
    const registry = await startServer(cli, ['serve', '--port', '{port}', '--profile-registry-db', dbPath, '--log-level', 'warn', '--no-seed'], { nodeArgs });
    servers.push(registry);
    log(`seeding 1,000 profiles in 10 registries${suffix}`);
    const profiles = await seedStore(registry.url, 1000, 10);
    const target = profiles[profiles.length - 1] as { registry: string; slug: string };
    const profileUrl = `${registry.url}/api/chat/profiles/${target.slug}?registry=${target.registry}`;
    const etag = (await fetch(profileUrl)).headers.get('etag') ?? '';
    scenarios.push(
      ...[
        { key: 'get', name: `GET profile${suffix}`, server: registry, url: profileUrl },
        { key: '304', name: `conditional GET → 304${suffix}`, server: registry, url: profileUrl, headers: { 'if-none-match': etag }, expectStatus: 304 },
        { key: 'resolve', name: `resolve${suffix}`, server: registry, url: `${registry.url}/api/chat/resolve/${target.slug}?registry=${target.registry}` },
      ].filter((scenario) => wanted.has(scenario.key)),
    );
    if (suffix === '' && wanted.has('bytes')) {
      for (const read of scenarios.filter((scenario) => scenario.key === 'get' || scenario.key === 'resolve')) {
        const bytes = await answerBytes(read.url);
        scenarios.push({ key: 'bytes', name: `bare route, as many bytes as ${read.name} (${bytes.toLocaleString('en-US')})`, server: hello, url: `${hello.url}/bytes/${bytes}` });
      }
    }
  }
  // warm up every route (the compiler, the read caches)
  for (const scenario of scenarios) await runLoad({ ...scenario, connections, durationSec: 1 });
  const figures = new Map<string, { usPerRequest: number[]; rps: number[]; cpuRatio: number[]; rpsRatio: number[] }>();
  for (const scenario of scenarios) figures.set(scenario.name, { usPerRequest: [], rps: [], cpuRatio: [], rpsRatio: [] });
  const loads: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    loads.push(readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '));
    const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
    const measured = new Map<string, { us: number; rps: number }>();
    for (const scenario of order) {
      const pid = scenario.server.child.pid as number;
      const before = cpuMsOf(pid);
      const result = await runLoad({ url: scenario.url, headers: scenario.headers, expectStatus: scenario.expectStatus, connections, durationSec });
      const cpuMs = cpuMsOf(pid) - before;
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${scenario.name}: ${result.non2xx} unexpected statuses, ${result.errors} errors`);
      measured.set(scenario.name, { us: (cpuMs * 1000) / result.requests, rps: result.requestsPerSec });
    }
    const base = measured.get('hello-world')!;
    for (const [name, { us, rps }] of measured) {
      const each = figures.get(name)!;
      each.usPerRequest.push(us);
      each.rps.push(rps);
      each.cpuRatio.push(base.us / us);
      each.rpsRatio.push(rps / base.rps);
    }
    log(`round ${round + 1}: ${[...measured].map(([name, { us, rps }]) => `${name} ${us.toFixed(1)} µs ${Math.round(rps)}/s`).join(', ')}`);
  }
  const lines = [
    `${rounds} rounds of ${durationSec} s, ${connections} connections; load average at each round's start: ${loads.join('; ')}`,
    '',
    '| scenario | server CPU µs per request (rounds) | median | hello-world CPU ÷ this | req/s (median) | × hello-world req/s |',
    '|---|---|---|---|---|---|',
    ...[...figures].map(
      ([name, each]) =>
        `| ${name} | ${each.usPerRequest.map((us) => us.toFixed(1)).join(', ')} | ${median(each.usPerRequest).toFixed(1)} | ${median(each.cpuRatio).toFixed(2)}× | ${Math.round(median(each.rps)).toLocaleString('en-US')} | ${median(each.rpsRatio).toFixed(2)}× |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const server of servers) await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
