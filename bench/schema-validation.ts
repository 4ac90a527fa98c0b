/**
 * What validating middleware configs against registered JSON Schemas costs a durable PATCH
 * (issue 14), in one run against one server: the same PATCH load (each request replaces a
 * profile's three middlewares, with new config values) with the three schemas registered and
 * without them, in alternating rounds (A B, B A, ...) so that a growing history or a noisy
 * neighbour weighs on both sides alike.
 *
 * With `--baseline-cli <dist/src/cli/main.js of another build>` (e.g. main before this feature),
 * each round also measures that build on a database seeded alike: "today's figure" of the same run.
 *
 *   npm run build && node dist/bench/schema-validation.js [--duration 5] [--rounds 3] [--connections 50] [--baseline-cli PATH]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { startRegistryServer, startServer, type RunningServer } from './lib/spawn-server.js';
import { performance } from 'node:perf_hooks';
import { checkProfileSchemas, type SchemaLookup } from '../src/domain/profile-schema-validation.js';
import { newProfileContent } from '../src/domain/profile.js';
import type { SchemaKind } from '../src/domain/schema-documents.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    profiles: { type: 'string', default: '100' },
    'baseline-cli': { type: 'string' },
  },
});

type Side = 'without' | 'with' | 'today';

const REGISTRY = 'bench';
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Three middlewares as a chat runtime configures them, and the schemas their authors would publish. */
const SCHEMAS = {
  agentmode: {
    type: 'object',
    properties: {
      default_mode: { type: 'string', enum: ['chat', 'plan', 'act'] },
      modes: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 16 },
      allow_switch: { type: 'boolean' },
    },
    required: ['default_mode'],
    additionalProperties: false,
  },
  inference: {
    type: 'object',
    properties: {
      model: { type: 'string', pattern: '^[a-z0-9.-]+$' },
      max_tokens: { type: 'integer', minimum: 1, maximum: 4096 },
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      stop: { type: 'array', items: { type: 'string' } },
    },
    required: ['model', 'max_tokens'],
    additionalProperties: false,
  },
  retry: {
    type: 'object',
    properties: {
      attempts: { type: 'integer', minimum: 0, maximum: 10 },
      backoff_ms: { type: 'integer', minimum: 0 },
      on: { type: 'array', items: { type: 'string', enum: ['timeout', 'rate_limit', 'server_error'] } },
    },
    additionalProperties: false,
  },
} as const;

const middlewares = (n: number) => [
  { name: 'agentmode', config: { default_mode: ['chat', 'plan', 'act'][n % 3], modes: ['chat', 'plan', 'act'], allow_switch: n % 2 === 0 } },
  { name: 'inference', id: 'main', config: { model: 'gpt-4o-mini', max_tokens: 256 + (n % 3840), temperature: (n % 20) / 10, stop: ['\n\n'] } },
  { name: 'retry', config: { attempts: n % 5, backoff_ms: 100 * (n % 7), on: ['timeout', 'rate_limit'] } },
];

/** The validation alone, in this process: microseconds per profile write of the PATCH load's shape. */
const validationMicros = (iterations = 20_000): number => {
  const registered = new Map(Object.entries(SCHEMAS).map(([name, schema]) => [name, { version: 1, schema }]));
  const lookup: SchemaLookup = Object.assign((kind: SchemaKind, name: string) => (kind === 'middleware' ? registered.get(name) : undefined), {
    hasEntries: (kind: SchemaKind) => kind === 'middleware',
  });
  const contents = Array.from({ length: 100 }, (_, n) => newProfileContent(`p${n}`, { runtime: { middlewares: middlewares(n) } }));
  for (const content of contents) checkProfileSchemas(content, lookup); // compiles once per schema
  const started = performance.now();
  for (let i = 0; i < iterations; i++) checkProfileSchemas(contents[i % contents.length], lookup);
  return ((performance.now() - started) * 1000) / iterations;
};

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
const cpuMsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of stat)
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const seed = async (server: RunningServer, slugs: string[]) => {
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: REGISTRY });
  await sendAll(slugs, 8, (slug) =>
    jsonRequest(`${server.url}/api/chat/profiles`, 'POST', { registry: REGISTRY, slug, runtime: { system_prompt: 'You help', middlewares: middlewares(0) } }),
  );
};

const main = async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'profile-registry-bench-schemas-'));
  const servers: RunningServer[] = [];
  try {
    const profiles = Number(flags.profiles);
    const durationSec = Number(flags.duration);
    const connections = Number(flags.connections);
    const slugs = Array.from({ length: profiles }, (_, i) => `p${i}`);
    const server = await startRegistryServer(join(workDir, 'bench.db'));
    servers.push(server);
    await seed(server, slugs);
    const baselineCli = flags['baseline-cli'];
    const baseline = baselineCli
      ? await startServer(baselineCli, ['serve', '--port', '{port}', '--profile-registry-db', join(workDir, 'baseline.db'), '--log-level', 'warn', '--no-seed'])
      : undefined;
    if (baseline) {
      servers.push(baseline);
      await seed(baseline, slugs);
    }
    const cycle = Array.from({ length: 50_000 }, (_, index) => ({
      path: `/api/chat/profiles/${slugs[index % slugs.length]}?registry=${REGISTRY}`,
      body: JSON.stringify({ runtime: { system_prompt: 'You help', middlewares: middlewares(index + 1) } }),
    }));
    const setSchemas = async (registered: boolean) => {
      for (const [name, schema] of Object.entries(SCHEMAS)) {
        const url = `${server.url}/api/chat/schemas/middlewares/${name}`;
        const response = registered
          ? await jsonRequest(url, 'PUT', { version: 1, schema })
          : await fetch(url, { method: 'DELETE' });
        if (!response.ok && response.status !== 404) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
      }
    };
    const load = (target: RunningServer) => runLoad({ url: target.url, connections, durationSec, method: 'PATCH', cycle });
    log('warm-up (not counted)');
    await load(server);
    if (baseline) await load(baseline);
    const sides: Side[] = baseline ? ['without', 'with', 'today'] : ['without', 'with'];
    const results: Record<Side, LoadResult[]> = { without: [], with: [], today: [] };
    /** The server's CPU per answered PATCH, in µs: what bounds throughput on an idle machine, and far less disturbed by a busy one. */
    const cpuPerWrite: Record<Side, number[]> = { without: [], with: [], today: [] };
    const rounds = Number(flags.rounds);
    for (let round = 0; round < rounds; round++) {
      // each side takes each place in the order in turn
      const order = sides.map((_, k) => sides[(k + round) % sides.length]);
      for (const side of order) {
        if (side !== 'today') await setSchemas(side === 'with');
        const target = side === 'today' ? (baseline as RunningServer) : server;
        const cpuBefore = cpuMsOf(target.child.pid as number);
        const result = await load(target);
        cpuPerWrite[side].push(((cpuMsOf(target.child.pid as number) - cpuBefore) * 1000) / result.requests);
        if (result.non2xx + result.errors > 0) throw new Error(`${side}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        log(
          `round ${round + 1}, ${side}: ${Math.round(result.requestsPerSec)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
            `server CPU ${Math.round(cpuPerWrite[side].at(-1) as number)} µs per write`,
        );
        results[side].push(result);
      }
    }
    const rps = (side: Side) => median(results[side].map((each) => each.requestsPerSec));
    const p99 = (side: Side) => median(results[side].map((each) => each.p99Ms));
    // a round's runs are neighbours in time: their ratio is the least disturbed by the machine's load
    const ratiosTo = (side: Side) => results.with.map((each, round) => each.requestsPerSec / results[side][round].requestsPerSec);
    const cpu = (side: Side) => median(cpuPerWrite[side]);
    const row = (side: Side, label: string) =>
      `| ${label} | ${Math.round(rps(side))} | ${p99(side)} | ${Math.round(cpu(side))} | ${results[side].map((each) => Math.round(each.requestsPerSec)).join(', ')} |`;
    const cpuLine = (side: Side, label: string) => {
      const ratio = cpu(side) / cpu('with');
      return `server CPU per write, ${label} / with: ${ratio.toFixed(3)} (the throughput ratio it bounds; target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'NOT MET'})`;
    };
    const ratioLine = (side: Side, label: string) => {
      const ratios = ratiosTo(side);
      const ratio = median(ratios);
      return `with / ${label}, median of the rounds' ratios (${ratios.map((each) => each.toFixed(2)).join(', ')}): ${ratio.toFixed(3)} (target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'NOT MET'})`;
    };
    const lines = [
      `| PATCH durable, 3 middleware configs, ${connections} conns, registry of ${profiles} | median req/s | median p99 ms | median server CPU µs per write | rounds (req/s) |`,
      '|---|---|---|---|---|',
      row('without', 'without schemas'),
      row('with', 'with the 3 schemas (every config validated)'),
      ...(baseline ? [row('today', 'baseline build (today, no schema registry)')] : []),
      '',
      ratioLine('without', 'without'),
      ...(baseline ? [ratioLine('today', 'baseline build')] : []),
      cpuLine('without', 'without'),
      ...(baseline ? [cpuLine('today', 'baseline build')] : []),
      `validation alone (in process): ${validationMicros().toFixed(2)} µs per write of three middleware configs`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const each of servers) await each.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
};

await main();
