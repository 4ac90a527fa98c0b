import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore } from '../../src/use-cases/registry-store.js';
import { readSchemaVersion, SCHEMA_VERSION } from '../../src/projections/schema-setup.js';
import { describeOnPostgres } from '../support/backends.js';
import { createTestDatabase, createTestSchema, PG_URL, postgresAvailable } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { sqlite3 } from '../support/sqlite3-shell.js';
import { tempDir } from '../support/test-store.js';

const INSTANCES = 10;

/** INSTANCES `serve` processes started at the same moment on one database: every start must succeed. */
const startTogether = async (flags: string[]): Promise<ServerProcess[]> => {
  const started = await Promise.allSettled(
    Array.from({ length: INSTANCES }, () => startServer([...flags, '--log-level', 'warn'], { readyTimeoutMs: 60_000 })),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = started.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) {
    await Promise.all(servers.map((server) => server.stop()));
    expect(failures).toEqual([]);
  }
  return servers;
};

/** What every instance serves: the registries and the profiles of `default`. */
const servedBy = async (server: ServerProcess) => {
  const registries = (await (await fetch(`${server.url}/api/registries`)).json()) as Array<{ slug: string }>;
  const profiles = (await (await fetch(`${server.url}/api/chat/profiles`)).json()) as Array<{ slug: string }>;
  return { registries: registries.map((r) => r.slug), profiles: profiles.map((p) => p.slug) };
};

describe('ten serve processes started together on a fresh SQLite file', () => {
  it('all come up on one database, seeded once, that verifies', async () => {
    const dir = tempDir();
    const path = join(dir.dir, 'data', 'profiles.db');
    const servers = await startTogether(['--profile-registry-db', path]);
    try {
      for (const server of servers) expect(await servedBy(server)).toEqual({ registries: ['default'], profiles: ['default'] });
      const versions = await sqlite3(['-readonly', path, 'SELECT version FROM schema_version;']);
      expect(versions.stdout.trim()).toBe(String(SCHEMA_VERSION));
      // no half-made file of a losing instance is left beside it
      const left = await sqlite3(['-readonly', path, 'SELECT COUNT(*) FROM events;']);
      expect(Number(left.stdout.trim())).toBeGreaterThan(0);
    } finally {
      for (const server of servers) expect(await server.stop()).toBe(0);
    }
    const verified = await runCli(['verify', '--profile-registry-db', path]);
    expect(verified.stdout).toMatch(/^verify ok/);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(dir.dir, 'data')).filter((name) => name.includes('.creating'))).toEqual([]);
    dir.remove();
  }, 120_000);
});

const tablesOf = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
    );
    const bySchema: Record<string, string[]> = {};
    for (const row of rows.rows) (bySchema[row.schema] ??= []).push(row.name);
    for (const names of Object.values(bySchema)) names.sort();
    return bySchema;
  } finally {
    await client.end();
  }
};

const onDatabase = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describeOnPostgres('serve on a PostgreSQL database of its own or shared with other applications', () => {
  it('ten processes started together on a fresh database all come up, with the tables in schema profile_registry', async () => {
    const { url, drop } = await createTestDatabase();
    try {
      // another application's tables, one of them named like one of ours
      await onDatabase(url, 'CREATE TABLE users (id INT PRIMARY KEY); CREATE TABLE schema_version (app TEXT)');
      const servers = await startTogether(['--profile-registry-dsn', url]);
      try {
        for (const server of servers) expect(await servedBy(server)).toEqual({ registries: ['default'], profiles: ['default'] });
      } finally {
        for (const server of servers) expect(await server.stop()).toBe(0);
      }
      const tables = await tablesOf(url);
      expect(tables.public).toEqual(['schema_version', 'users']);
      expect(tables.profile_registry).toEqual(expect.arrayContaining(['events', 'streams', 'schema_version']));
      expect(await onDatabase(url, 'SELECT version FROM profile_registry.schema_version')).toEqual([{ version: SCHEMA_VERSION }]);
      expect(await onDatabase(url, 'SELECT app FROM public.schema_version')).toEqual([]);
      const verified = await runCli(['verify', '--profile-registry-dsn', url]);
      expect(verified.stdout).toMatch(/^verify ok/);
    } finally {
      await drop();
    }
  }, 180_000);

  it('finds an earlier install in public where it is, and --pg-schema puts a store where it says', async () => {
    const { url, drop } = await createTestDatabase();
    try {
      // an install made before the tables had a schema of their own
      const earlier = await createRegistryStore(openDatabase({ dsn: url, schema: 'public' }));
      const context = { actor: 'test', source: 'test', request_id: 'earlier' };
      await earlier.execute({ type: 'create_registry', registry: 'earlier', display_name: 'Earlier' }, context);
      await earlier.close();

      const server = await startServer(['--profile-registry-dsn', url]);
      try {
        expect((await servedBy(server)).registries).toEqual(['earlier']);
      } finally {
        await server.stop();
      }
      expect(Object.keys(await tablesOf(url))).toEqual(['public']);

      const elsewhere = await startServer(['--profile-registry-dsn', url, '--pg-schema', 'team_b']);
      try {
        expect(await servedBy(elsewhere)).toEqual({ registries: ['default'], profiles: ['default'] });
      } finally {
        await elsewhere.stop();
      }
      expect(Object.keys(await tablesOf(url)).sort()).toEqual(['public', 'team_b']);
      const bad = await runCli(['verify', '--profile-registry-dsn', url, '--pg-schema', 'Bad-Name']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('invalid PostgreSQL schema name "Bad-Name"');
    } finally {
      await drop();
    }
  }, 120_000);
});

describe.runIf(postgresAvailable)('instances that start together on a fresh PostgreSQL schema', () => {
  it('all come up, ten times out of ten, and the schema version is recorded once', async () => {
    for (let round = 0; round < 10; round++) {
      const { schema, drop } = await createTestSchema();
      try {
        const opened = await Promise.allSettled(
          Array.from({ length: 4 }, () => createRegistryStore(openDatabase({ dsn: PG_URL, schema }))),
        );
        const failures = opened.filter((result) => result.status === 'rejected').map((result) => String(result.reason));
        const stores = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        try {
          expect(failures, `round ${round}`).toEqual([]);
          for (const store of stores) expect(await readSchemaVersion(store.db)).toBe(SCHEMA_VERSION);
          const rows = await stores[0].db.all('SELECT version FROM schema_version');
          expect(rows).toHaveLength(1);
        } finally {
          for (const store of stores) await store.close();
        }
      } finally {
        await drop();
      }
    }
  }, 60_000);

  it('an instance that starts while another is in the middle of a write neither deadlocks nor breaks that write', async () => {
    const { schema, drop } = await createTestSchema();
    const writer = new pg.Client({ connectionString: PG_URL });
    try {
      await (await createRegistryStore(openDatabase({ dsn: PG_URL, schema }))).close();
      await writer.connect();
      await writer.query(`SET search_path TO "${schema}"`);
      // what an append does first (takes its positions) and next (writes the events table)
      await writer.query('BEGIN');
      await writer.query('UPDATE event_positions SET last_position = last_position');
      const starting = createRegistryStore(openDatabase({ dsn: PG_URL, schema }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const writing = writer.query('LOCK TABLE events IN ROW EXCLUSIVE MODE').then(() => writer.query('COMMIT'));
      const [started, wrote] = await Promise.allSettled([starting, writing]);
      expect([started.status, wrote.status, String((started as PromiseRejectedResult).reason ?? (wrote as PromiseRejectedResult).reason ?? '')]).toEqual([
        'fulfilled',
        'fulfilled',
        '',
      ]);
      if (started.status === 'fulfilled') await started.value.close();
    } finally {
      await writer.end().catch(() => undefined);
      await drop();
    }
  }, 30_000);

  it('refuses a database whose recorded schema is newer than the server', async () => {
    const { schema, drop } = await createTestSchema();
    try {
      const store = await createRegistryStore(openDatabase({ dsn: PG_URL, schema }));
      await store.db.run('UPDATE schema_version SET version = $1', [SCHEMA_VERSION + 1]);
      await store.close();
      await expect(createRegistryStore(openDatabase({ dsn: PG_URL, schema }))).rejects.toThrow(
        `the database's schema is at version ${SCHEMA_VERSION + 1}, newer than this server's (${SCHEMA_VERSION})`,
      );
    } finally {
      await drop();
    }
  });
});
