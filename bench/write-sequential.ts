/**
 * One connection of durable PATCHes against a server started here (or at --url), with the server's
 * CPU per write and its pid printed, so that strace/perf can be attached: the 1-connection half of
 * write-throughput.ts, by itself.
 *
 *   node dist/bench/write-sequential.js --cli dist/src/cli/main.js --count 2000 [--pause-before 5]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** CPU seconds of each thread of a process, by thread (main or not, name, id). */
const cpuByThread = (pid: number): Map<string, number> => {
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = `${task === String(pid) ? 'main' : 'thread'} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} ${task}`;
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return byName;
};

/** Context switches of a process's threads, all summed: each is a sleep (voluntary) or a preemption. */
const contextSwitches = (pid: number): { voluntary: number; preempted: number } => {
  const total = { voluntary: 0, preempted: 0 };
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    } catch {
      continue;
    }
    total.voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    total.preempted += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return total;
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
  const threadsBefore = cpuByThread(server.child.pid!);
  const switchesBefore = contextSwitches(server.child.pid!);
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
  const switchesAfter = contextSwitches(server.child.pid!);
  const perWrite = (n: number) => +(n / count).toFixed(2);
  const switches = { voluntary: perWrite(switchesAfter.voluntary - switchesBefore.voluntary), preempted: perWrite(switchesAfter.preempted - switchesBefore.preempted) };
  const threadUs: Record<string, number> = {};
  for (const [name, seconds] of cpuByThread(server.child.pid!)) {
    const used = Math.round(((seconds - (threadsBefore.get(name) ?? 0)) / count) * 1e6);
    if (used > 0) threadUs[name] = used;
  }
  console.log(JSON.stringify({ cli: flags.cli, count, perSecond: Math.round(count / seconds), meanMs: +((seconds / count) * 1000).toFixed(3), serverCpuUsPerWrite: Math.round((cpu / count) * 1e6), threadUs, contextSwitchesPerWrite: switches }));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
