import { join } from 'node:path';
import pg from 'pg';
import { generateProfiles, generateRegistries } from './generate-data.js';
import { jsonRequest, sendAll } from './http-client.js';
import { descriptionPatchCycle, runLoad } from './load.js';
import type { Scenario } from './report.js';
import { startRegistryServer, startServer, CLI, type RunningServer } from './spawn-server.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

const seed = async (server: RunningServer, profiles: number) => {
  await jsonRequest(`${server.url}/api/registries`, 'POST', { slug: 'default' });
  await sendAll(generateRegistries(2), 8, (body) => jsonRequest(`${server.url}/api/registries`, 'POST', body));
  const bodies = generateProfiles(profiles, 2);
  await sendAll(bodies, 16, (body) => jsonRequest(`${server.url}/api/chat/profiles`, 'POST', body));
  return bodies.filter((body) => body.registry === 'default').map((body) => body.slug);
};

/**
 * Durable description PATCHes (50 connections) on PostgreSQL against SQLite, one server each of
 * this build, seeded alike, taking turns (order reversed every other round), each round's own
 * descriptions: the median of the rounds' ratios. Skipped when PostgreSQL does not answer.
 */
export const measurePostgresWriteRatio = async (options: {
  workDir: string;
  pgUrl: string;
  durationSec: number;
  rounds: number;
  profiles: number;
  log: (message: string) => void;
}): Promise<Scenario> => {
  const name = `PATCH description (50 conns), PostgreSQL ÷ SQLite, same run (median of ${options.rounds} rounds in turns)`;
  const admin = new pg.Client({ connectionString: options.pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    return { name, skipped: `PostgreSQL not reachable at ${options.pgUrl.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1@')} (${(error as Error).message})` };
  }
  const schema = `bench_writes_${process.pid}`;
  const servers: RunningServer[] = [];
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const dsn = `${options.pgUrl}${options.pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const postgres = await startServer(CLI, ['serve', '--port', '{port}', '--log-level', 'warn', '--no-seed', '--profile-registry-dsn', dsn]);
    servers.push(postgres);
    const sqlite = await startRegistryServer(join(options.workDir, 'write-ratio.db'));
    servers.push(sqlite);
    const backends = [
      { backend: 'PostgreSQL', server: postgres, slugs: await seed(postgres, options.profiles), rps: [] as number[] },
      { backend: 'SQLite', server: sqlite, slugs: await seed(sqlite, options.profiles), rps: [] as number[] },
    ];
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of round % 2 === 1 ? backends : [...backends].reverse()) {
        options.log(`PATCH description, ${side.backend}, round ${round}`);
        const cycle = descriptionPatchCycle('default', side.slugs).map((item) => ({ ...item, body: item.body.replace('revision', `round ${round} revision`) }));
        const load = await runLoad({ url: side.server.url, connections: 50, durationSec: options.durationSec, method: 'PATCH', cycle });
        side.rps.push(load.requestsPerSec);
      }
    }
    const [onPostgres, onSqlite] = backends;
    const ratio = median(onPostgres.rps.map((rps, index) => rps / onSqlite.rps[index]));
    const rounds = (rps: number[]) => rps.map((value) => Math.round(value).toLocaleString('en-US')).join(', ');
    return {
      name,
      figures: { 'PostgreSQL req/s': rounds(onPostgres.rps), 'SQLite req/s': rounds(onSqlite.rps), ratio: `${ratio.toFixed(2)}×` },
      goal: { text: '≥ 0.5 × SQLite', met: () => ratio >= 0.5 },
    };
  } finally {
    for (const server of servers) await server.stop();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
};
