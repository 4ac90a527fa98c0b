/**
 * Durable PATCH throughput, interleaved against other builds in one run (issue 29's write targets):
 * one connection against a raw 4 KiB append+fdatasync loop on the same disk, and 50 connections
 * against the figure of another build (a worktree of an older commit, built).
 *
 *   node dist/bench/write-throughput.js --rounds 3 --duration 5 \
 *     --variant base=/path/to/other/dist/src/cli/main.js \
 *     --variant this=dist/src/cli/main.js
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult } from './lib/load.js';
import { generatePatches, generateProfiles, generateRegistries } from './lib/generate-data.js';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { startServer } from './lib/spawn-server.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    variant: { type: 'string', multiple: true, default: [] },
    dir: { type: 'string' },
  },
});
const durationSec = Number(flags.duration);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const PROFILES = 1000;
const REGISTRIES = 10;

/** `name=cli.js[:--flag,value,...]` */
const variants = (flags.variant as string[]).map((spec) => {
  const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
  const [cli, extra] = rest.includes(':') ? [rest.slice(0, rest.indexOf(':')), rest.slice(rest.indexOf(':') + 1).split(',')] : [rest, []];
  return { name, cli: resolve(cli as string), extra: extra as string[] };
});

/** 4 KiB appended and fdatasync-ed, again and again, for `seconds`: the disk's floor for a durable write. */
const rawAppendLoop = (dir: string, seconds: number): number => {
  const path = join(dir, 'raw-append.bin');
  const fd = openSync(path, 'a');
  const block = Buffer.alloc(4096, 7);
  const until = Date.now() + seconds * 1000;
  let count = 0;
  while (Date.now() < until) {
    writeSync(fd, block);
    fdatasyncSync(fd);
    count++;
  }
  closeSync(fd);
  rmSync(path);
  return count / seconds;
};

/** CPU seconds a process has used, all its threads (utime + stime of /proc/PID/stat, at 100 ticks a second). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const measure = async (dir: string, variant: (typeof variants)[number]) => {
  const dbPath = join(dir, `${variant.name}.db`);
  const server = await startServer(variant.cli, ['serve', '--port', '{port}', '--profile-registry-db', dbPath, '--log-level', 'warn', '--no-seed', ...variant.extra]);
  try {
    await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
    await sendAll(generateRegistries(REGISTRIES), 8, (body) => jsonRequest(`${server.url}/api/registries`, 'POST', body));
    await sendAll(generateProfiles(PROFILES, REGISTRIES), 16, (body) => jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body));
    const cycle = generatePatches(PROFILES, REGISTRIES, 20_000)
      .filter((patch) => patch.registry === 'default')
      .map((patch) => ({ path: `/api/chat/profiles/${patch.slug}?registry=${patch.registry}`, body: JSON.stringify(patch.body) }));
    const one = await runLoad({ url: server.url, connections: 1, durationSec, method: 'PATCH', cycle });
    const cpuBefore = cpuSeconds(server.child.pid!);
    const fifty = await runLoad({ url: server.url, connections: 50, durationSec, method: 'PATCH', cycle });
    const cpuPerWriteUs = ((cpuSeconds(server.child.pid!) - cpuBefore) / fifty.requests) * 1e6;
    return { one, fifty, cpuPerWriteUs };
  } finally {
    await server.stop();
    rmSync(dbPath, { force: true });
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
  }
};

const line = (name: string, load: LoadResult) =>
  `${name}: ${Math.round(load.requestsPerSec)}/s p50 ${load.p50Ms} ms p99 ${load.p99Ms} ms (non-2xx ${load.non2xx}, errors ${load.errors})`;

const dir = flags.dir ?? mkdtempSync(join(tmpdir(), 'profile-registry-write-bench-'));
try {
  for (let round = 1; round <= Number(flags.rounds); round++) {
    log(`round ${round}: raw 4 KiB append+fdatasync ${Math.round(rawAppendLoop(dir, durationSec))}/s`);
    for (const variant of variants) {
      const { one, fifty, cpuPerWriteUs } = await measure(dir, variant);
      log(`round ${round}: ${line(`${variant.name} PATCH 1 conn`, one)}`);
      log(`round ${round}: ${line(`${variant.name} PATCH 50 conns`, fifty)}, server CPU ${Math.round(cpuPerWriteUs)} µs/write`);
    }
  }
  log(`round end: raw 4 KiB append+fdatasync ${Math.round(rawAppendLoop(dir, durationSec))}/s`);
} finally {
  if (!flags.dir) rmSync(dir, { recursive: true, force: true });
}
