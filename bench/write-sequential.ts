/**
 * One connection of durable PATCHes against a server started here (or at --url), with the server's
 * CPU per write and its pid printed, so that strace/perf can be attached: the 1-connection half of
 * write-throughput.ts, by itself.
 *
 *   node dist/bench/write-sequential.js --cli dist/src/cli/main.js --count 2000 [--pause-before 5]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePatches, generateProfiles, generateRegistries } from './lib/generate-data.js';
import { jsonRequest, sendAll } from './lib/http-client.js';
import { startServer } from './lib/spawn-server.js';

const { values: flags } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/src/cli/main.js' },
    count: { type: 'string', default: '2000' },
    'pause-before': { type: 'string', default: '0' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const dir = mkdtempSync(join(tmpdir(), 'write-seq-'));
const server = await startServer(resolve(flags.cli!), ['serve', '--port', '{port}', '--profile-registry-db', join(dir, 'w.db'), '--log-level', 'warn', '--no-seed'], {
  nodeArgs: flags['node-arg'] as string[],
});
try {
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
  await sendAll(generateRegistries(10), 8, (body) => jsonRequest(`${server.url}/api/registries`, 'POST', body));
  await sendAll(generateProfiles(1000, 10), 16, (body) => jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body));
  const patches = generatePatches(1000, 10, 20_000).filter((patch) => patch.registry === 'default');
  log(`server pid ${server.child.pid}; pausing ${flags['pause-before']} s`);
  await new Promise((done) => setTimeout(done, Number(flags['pause-before']) * 1000));
  const count = Number(flags.count);
  const cpuBefore = cpuSeconds(server.child.pid!);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const patch = patches[i % patches.length]!;
    const response = await fetch(`${server.url}/api/chat/profiles/${patch.slug}?registry=${patch.registry}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch.body),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`PATCH ${response.status}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.child.pid!) - cpuBefore;
  console.log(JSON.stringify({ cli: flags.cli, count, perSecond: Math.round(count / seconds), meanMs: +((seconds / count) * 1000).toFixed(3), serverCpuUsPerWrite: Math.round((cpu / count) * 1e6) }));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
