import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GENERATOR } from './fixture-data.js';
import { jsonRequest } from './http-client.js';
import { descriptionPatchCycle, runLoad } from './load.js';
import { measureRebuild } from './rebuild-rate.js';
import type { Scenario } from './report.js';
import { eventTotal } from './event-total.js';
import { startRegistryServer } from './spawn-server.js';

/** Streams the generator's one-document-per-line output, so 100,000 bodies never sit in memory at once. */
async function* generatedDocuments<T>(args: string[]): AsyncGenerator<T> {
  const child = spawn(process.execPath, [GENERATOR, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout })) {
    const text = line.trim().replace(/,$/, '');
    if (text === '[' || text === ']' || text === '') continue;
    yield JSON.parse(text) as T;
  }
}

/** Sends what the iterator yields with `concurrency` requests in flight; counts the 2xx. */
const pump = async <T>(items: AsyncIterable<T>, concurrency: number, send: (item: T) => Promise<Response>) => {
  const iterator = items[Symbol.asyncIterator]();
  let ok = 0;
  const worker = async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const response = await send(next.value);
      await response.arrayBuffer();
      if (response.ok) ok += 1;
      else if (response.status !== 404) throw new Error(`HTTP ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ok;
};

interface LargeOptions {
  workDir: string;
  events: number;
  profiles: number;
  durationSec: number;
  baselineRps: number;
  smallPatchRps: number;
  log: (message: string) => void;
}


/**
 * Fills a store with `profiles` profiles (100 per registry) and `events` events through the HTTP
 * API, then measures PATCH throughput on that history, start-up time, memory, and rebuild rate.
 */
export const measureLargeHistory = async (options: LargeOptions): Promise<Scenario[]> => {
  const { log } = options;
  const registries = Math.max(1, Math.round(options.profiles / 100));
  const dbPath = join(options.workDir, 'large.db');
  let server = await startRegistryServer(dbPath);
  const seedArgs = ['--profiles', String(options.profiles), '--registries', String(registries), '--seed', 'large', '--size', 'medium'];
  log(`large history: ${registries} registries`);
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
  await pump(generatedDocuments<{ slug: string }>(['--registries', String(registries), '--registries-only']), 16, (body) =>
    jsonRequest(`${server.url}/api/registries`, 'POST', body),
  );
  log(`large history: ${options.profiles} profiles`);
  await pump(generatedDocuments<Record<string, unknown>>(seedArgs), 64, (body) =>
    jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body),
  );
  let events = await eventTotal(server.url);
  let round = 0;
  while (events < options.events) {
    const missing = options.events - events;
    log(`large history: ${events} events, patching ${missing} more`);
    // the same patch list again still changes something: it is applied to a later state
    await pump(
      generatedDocuments<{ slug: string; registry: string; body: unknown }>([...seedArgs, '--patches', String(missing)]),
      64,
      (patch) =>
        jsonRequest(`${server.url}/api/chat/profiles/${patch.slug}?registry=${patch.registry}`, 'PATCH', patch.body),
    );
    events = await eventTotal(server.url);
    round += 1;
    if (round > 5) break;
  }
  log(`large history: ${events} events; measuring`);
  const defaultSlugs: string[] = [];
  for await (const profile of generatedDocuments<{ slug: string; registry: string }>(seedArgs)) {
    if (profile.registry === 'default') defaultSlugs.push(profile.slug);
    if (defaultSlugs.length === 100) break;
  }
  const patchCycle = descriptionPatchCycle('default', defaultSlugs);
  const patch = await runLoad({ url: server.url, connections: 50, durationSec: options.durationSec, method: 'PATCH', cycle: patchCycle });
  await server.stop();

  server = await startRegistryServer(dbPath);
  const startupMs = server.startupMs;
  const rss = server.rssBytes();
  const firstRead = await fetch(`${server.url}/api/chat/profiles?registry=default`);
  await firstRead.arrayBuffer();
  await server.stop();

  const label = ` (${events.toLocaleString('en-US')} events)`;
  return [
    {
      name: `PATCH description, registry of 100 (50 conns), with${label}`,
      load: patch,
      ratio: patch.requestsPerSec / options.baselineRps,
      goal: {
        text: '≥ 0.8 × the same PATCH on the small store',
        met: () => patch.requestsPerSec >= 0.8 * options.smallPatchRps,
      },
    },
    {
      name: `start-up and memory with${label}, ${options.profiles.toLocaleString('en-US')} profiles`,
      figures: { 'start-up ms': Math.round(startupMs).toString(), 'RSS MB': (rss / 1024 ** 2).toFixed(0) },
      goal: { text: 'start-up ≤ 1 s, RSS ≤ 200 MB', met: () => startupMs <= 1000 && rss <= 200 * 1024 ** 2 },
    },
    await measureRebuild(dbPath, label),
  ];
};
