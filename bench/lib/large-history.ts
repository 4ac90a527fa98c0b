import { join } from 'node:path';
import { writeBulkHistory } from './bulk-history.js';
import { descriptionPatchCycle, runLoad } from './load.js';
import { measureRebuild } from './rebuild-rate.js';
import type { Scenario } from './report.js';
import { startRegistryServer } from './spawn-server.js';

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
 * A store with `events` events and `profiles` profiles (100 per registry): the rebuild that makes
 * its projections, then start-up time, memory, and PATCH throughput with that history behind it.
 */
export const measureLargeHistory = async (options: LargeOptions): Promise<Scenario[]> => {
  const { log } = options;
  const registries = Math.max(1, Math.round(options.profiles / 100));
  const dbPath = join(options.workDir, 'large.db');
  log(`large history: writing ${options.events.toLocaleString('en-US')} events over ${registries} registries`);
  const { events, defaultSlugs } = await writeBulkHistory({ dbPath, profiles: options.profiles, registries, events: options.events, log });
  const label = ` (${events.toLocaleString('en-US')} events)`;
  log('large history: rebuild');
  const rebuild = await measureRebuild(dbPath, label);

  log('large history: start-up');
  // a full hash-chain check of 1,000,000 events takes far longer than the start-up goal: the
  // large store is served as large stores are (stream heads before listening, the chain after)
  const server = await startRegistryServer(dbPath, ['--chain-check', 'background']);
  const startupMs = server.startupMs;
  const rss = server.rssBytes();
  const firstRead = await fetch(`${server.url}/api/chat/profiles?registry=default`);
  await firstRead.arrayBuffer();
  await server.stop();
  // the writes are measured on a server whose chain check is over: under the default
  // (`before-writes`) they would wait for it, and it would take a core meanwhile. One that checked
  // before listening, whose start-up is reported too
  log('large history: start-up with the whole chain checked first, then PATCH');
  const checked = await startRegistryServer(dbPath, ['--chain-check', 'before-listen']);
  const patch = await runLoad({
    url: checked.url,
    connections: 50,
    durationSec: options.durationSec,
    method: 'PATCH',
    cycle: descriptionPatchCycle('default', defaultSlugs.slice(0, 100)),
  });
  await checked.stop();

  return [
    rebuild,
    {
      name: `start-up and memory with${label}, ${options.profiles.toLocaleString('en-US')} profiles`,
      figures: { 'start-up ms': Math.round(startupMs).toString(), 'RSS MB': (rss / 1024 ** 2).toFixed(0) },
      goal: { text: 'start-up ≤ 1 s, RSS ≤ 200 MB', met: () => startupMs <= 1000 && rss <= 200 * 1024 ** 2 },
    },
    {
      name: `start-up with${label}, the whole hash chain checked before listening (\`--chain-check before-listen\`)`,
      figures: { 'start-up ms': Math.round(checked.startupMs).toString() },
    },
    {
      name: `PATCH description, registry of 100 (50 conns), with${label}`,
      load: patch,
      ratio: patch.requestsPerSec / options.baselineRps,
      goal: {
        text: '≥ 0.8 × the same PATCH on the small store',
        met: () => patch.requestsPerSec >= 0.8 * options.smallPatchRps,
      },
    },
  ];
};
