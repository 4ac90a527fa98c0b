/**
 * Durable PATCH throughput, interleaved against other builds in one run (issue 29's write targets):
 * one connection against a raw 4 KiB append+fdatasync loop on the same disk, and 50 connections
 * against the figure of another build (a worktree of an older commit, built). Each round also runs
 * SQLite alone committing as many WAL pages as a PATCH does (`--floor-pages`), and the bare
 * hello-world route on one connection: one round trip plus that commit is the ceiling of a durable
 * PATCH on one connection, before any work of its own.
 *
 *   node dist/bench/write-throughput.js --rounds 3 --duration 5 \
 *     --variant base=/path/to/other/dist/src/cli/main.js \
 *     --variant this=dist/src/cli/main.js
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runLoad, type LoadResult } from './lib/load.js';
import { generatePatches, generateProfiles, generateRegistries } from './lib/generate-data.js';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { HELLO, startServer } from './lib/spawn-server.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    variant: { type: 'string', multiple: true, default: [] },
    dir: { type: 'string' },
    'floor-pages': { type: 'string', default: '14' },
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

/**
 * The same loop through SQLite alone: one WAL commit (synchronous = FULL: one fsync of the WAL) that
 * writes about `pages` pages, a durable PATCH's count (bench/wal-frames.ts: 13.9 frames a commit).
 * A 3 KiB row is inserted and a small row updated in each of `pages - 2` other tables (the insert
 * and the file header make the other two). No HTTP, no decision, no projection: the most a durable
 * PATCH on SQLite can reach on this disk, beside the raw loop.
 */
const sqliteCommitLoop = (dir: string, seconds: number, pages: number) => {
  const path = join(dir, 'sqlite-floor.db');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const tables = Math.max(1, pages - 2);
    const updates: Database.Statement[] = [];
    for (let table = 0; table < tables; table++) {
      db.exec(`CREATE TABLE t${table} (id INTEGER PRIMARY KEY, v TEXT)`);
      const insert = db.prepare(`INSERT INTO t${table} (id, v) VALUES (?, ?)`);
      db.transaction(() => {
        for (let id = 0; id < 40; id++) insert.run(id, 'x'.repeat(60));
      })();
      if (table > 0) updates.push(db.prepare(`UPDATE t${table} SET v = ? WHERE id = ?`));
    }
    const append = db.prepare('INSERT INTO t0 (v) VALUES (?)');
    const row = 'y'.repeat(3072);
    const commit = db.transaction((index: number) => {
      append.run(row);
      for (const update of updates) update.run(`v${index}`, index % 40);
    });
    const walFrames = () => Math.max(0, (statSync(`${path}-wal`).size - 32) / (db.pragma('page_size', { simple: true }) as number + 24));
    // frames a commit writes, counted with checkpoints held back
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (let index = 0; index < 50; index++) commit(index);
    const framesPerCommit = walFrames() / 50;
    db.pragma('wal_autocheckpoint = 1000');
    const until = Date.now() + seconds * 1000;
    let count = 0;
    while (Date.now() < until) commit(count++);
    return { perSec: count / seconds, framesPerCommit };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
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
const hello = await startServer(HELLO, []);
try {
  for (let round = 1; round <= Number(flags.rounds); round++) {
    const raw = rawAppendLoop(dir, durationSec);
    const floor = sqliteCommitLoop(dir, durationSec, Number(flags['floor-pages']));
    const helloOne = await runLoad({ url: `${hello.url}/hello`, connections: 1, durationSec });
    // one round trip, then one commit: their times add up on a single connection
    const ceiling = 1 / (1 / helloOne.requestsPerSec + 1 / floor.perSec);
    log(`round ${round}: raw 4 KiB append+fdatasync ${Math.round(raw)}/s`);
    log(
      `round ${round}: SQLite alone, a WAL commit of ${floor.framesPerCommit.toFixed(1)} pages (synchronous = FULL) ${Math.round(floor.perSec)}/s = ${(floor.perSec / raw).toFixed(2)}× raw`,
    );
    log(
      `round ${round}: hello-world 1 conn ${Math.round(helloOne.requestsPerSec)}/s; a round trip and that commit each: ${Math.round(ceiling)}/s = ${(ceiling / raw).toFixed(2)}× raw`,
    );
    for (const variant of variants) {
      const { one, fifty, cpuPerWriteUs } = await measure(dir, variant);
      log(`round ${round}: ${line(`${variant.name} PATCH 1 conn`, one)}`);
      log(`round ${round}: ${line(`${variant.name} PATCH 50 conns`, fifty)}, server CPU ${Math.round(cpuPerWriteUs)} µs/write`);
    }
  }
  log(`round end: raw 4 KiB append+fdatasync ${Math.round(rawAppendLoop(dir, durationSec))}/s`);
} finally {
  await hello.stop();
  if (!flags.dir) rmSync(dir, { recursive: true, force: true });
}
