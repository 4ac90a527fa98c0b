import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from './report.js';
import { CLI, HELLO, startServer } from './spawn-server.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Spawn to first answered /healthz of `serve` on a new empty database against a bare Fastify
 * hello-world started the same way, taking turns `rounds` times (the machine's load falls on both
 * alike); the medians and their ratio. With `largeStore` (a store of bench/generate-store.ts,
 * rebuilt), each round also starts `serve` on it with the default start-up checks: a second scenario.
 */
export const measureStartupRatio = async (rounds: number, cli = CLI, largeStore?: string): Promise<Scenario[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-startup-'));
  const hello: number[] = [];
  const registry: number[] = [];
  const large: number[] = [];
  const serve = (db: string) => startServer(cli, ['serve', '--port', '{port}', '--profile-registry-db', db, '--log-level', 'warn', '--no-seed']);
  try {
    for (let round = 0; round < rounds; round++) {
      const bare = await startServer(HELLO, []);
      hello.push(bare.startupMs);
      await bare.stop();
      const server = await serve(join(dir, `empty-${round}.db`));
      registry.push(server.startupMs);
      await server.stop();
      if (largeStore === undefined) continue;
      const onLarge = await serve(largeStore);
      large.push(onLarge.startupMs);
      await onLarge.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = median(registry) / median(hello);
  const scenarios: Scenario[] = [
    {
      name: `start to first answer on an empty database (median of ${rounds}, taking turns with hello-world)`,
      figures: { 'serve ms': median(registry).toFixed(0), 'hello-world ms': median(hello).toFixed(0), ratio: `${ratio.toFixed(2)}×` },
      goal: { text: '≤ 1.5 × hello-world', met: () => ratio <= 1.5 },
    },
  ];
  if (largeStore !== undefined) {
    scenarios.push({
      name: `start to first answer on ${largeStore} with the default start-up checks (median of ${rounds}, same rounds; rounds: ${large.map((ms) => ms.toFixed(0)).join(', ')})`,
      figures: { 'serve ms': median(large).toFixed(0), 'hello-world ms': median(hello).toFixed(0) },
      goal: { text: '≤ 1 s', met: () => median(large) <= 1000 },
    });
  }
  return scenarios;
};
