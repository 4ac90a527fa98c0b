/**
 * WAL pages a durable PATCH writes, by table or index: a server (this build or `--cli`) on a fresh
 * file gets 10 registries and 1,000 profiles, is stopped (its WAL emptied), started again, gets
 * `--patches` sequential PATCHes (one commit each) and is killed (kill -9 keeps its WAL); the WAL's
 * frames are then read and each page named from dbstat. The I/O of one commit, beside its fsync.
 *
 *   node dist/bench/wal-frames.js [--cli /other/dist/src/cli/main.js] [--patches 20]
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { generatePatches, generateProfiles, generateRegistries } from './lib/generate-data.js';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { CLI, startServer } from './lib/spawn-server.js';

const { values: flags } = parseArgs({ options: { cli: { type: 'string' }, patches: { type: 'string', default: '20' } } });
const cli = flags.cli ? resolve(flags.cli) : CLI;
const count = Number(flags.patches);
const dir = mkdtempSync(join(tmpdir(), 'wal-frames-'));
const path = join(dir, 'w.db');
const args = ['serve', '--port', '{port}', '--profile-registry-db', path, '--log-level', 'warn', '--no-seed'];
const patches = generatePatches(1000, 10, 20_000).filter((patch) => patch.registry === 'default');
const patch = (url: string, index: number) => {
  const { slug, body } = patches[index]!;
  return jsonRequest(`${url}/api/chat/profiles/${slug}?registry=default`, 'PATCH', body);
};

/** Page numbers of the WAL's frames, and how many frames end a commit (non-zero database size). */
const walFrames = (wal: Buffer) => {
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const pages: number[] = [];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    // frames of an earlier generation of the WAL (before a restart) carry other salts
    if (wal.readUInt32BE(at + 8) !== salt[0] || wal.readUInt32BE(at + 12) !== salt[1]) break;
    pages.push(wal.readUInt32BE(at));
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return { pageSize, pages, commits };
};

try {
  let server = await startServer(cli, args);
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
  await sendAll(generateRegistries(10), 8, (body) => jsonRequest(`${server.url}/api/registries`, 'POST', body));
  await sendAll(generateProfiles(1000, 10), 16, (body) => jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body));
  for (let index = 0; index < 50; index++) await patch(server.url, index);
  await server.stop();
  server = await startServer(cli, args);
  for (let index = 50; index < 50 + count; index++) await patch(server.url, index);
  server.child.kill('SIGKILL');
  await new Promise((done) => server.child.once('exit', done));
  const { pageSize, pages, commits } = walFrames(readFileSync(`${path}-wal`));
  // dbstat of a copy (with its WAL) names each page
  copyFileSync(path, join(dir, 'copy.db'));
  copyFileSync(`${path}-wal`, join(dir, 'copy.db-wal'));
  const copy = new Database(join(dir, 'copy.db'), { readonly: true });
  const names = new Map((copy.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]).map((row) => [row.pageno, row.name]));
  copy.close();
  const byName = new Map<string, number>();
  for (const page of pages) byName.set(names.get(page) ?? `page ${page}`, (byName.get(names.get(page) ?? `page ${page}`) ?? 0) + 1);
  console.log(`${cli}: ${commits} commits, ${(pages.length / commits).toFixed(1)} WAL frames (${Math.round((pages.length * (pageSize + 24)) / commits / 1024)} KiB) per commit`);
  console.log(`  frames per commit: ${[...byName].sort((a, b) => b[1] - a[1]).map(([name, frames]) => `${name} ${(frames / commits).toFixed(1)}`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
