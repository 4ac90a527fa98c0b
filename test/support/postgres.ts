import pg from 'pg';
import { probePostgres } from './postgres-probe.js';

export const PG_URL = process.env.PROFILE_REGISTRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** CI sets PROFILE_REGISTRY_REQUIRE_PG=1: no PostgreSQL test may be skipped there. */
export const REQUIRED = process.env.PROFILE_REGISTRY_REQUIRE_PG === '1';

/** PG_URL without its password, for messages. */
const shownUrl = (): string => {
  try {
    const url = new URL(PG_URL);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'PROFILE_REGISTRY_TEST_PG_URL';
  }
};

const unreachable = await probePostgres(PG_URL, { required: REQUIRED, shownUrl: shownUrl() });
if (unreachable !== undefined) console.warn(`\n!!! ${unreachable}: PostgreSQL tests are SKIPPED !!!\n`);

/** Whether PostgreSQL tests run; importing this fails the test file when PROFILE_REGISTRY_REQUIRE_PG=1 and it is missing. */
export const postgresAvailable = unreachable === undefined;

/** Why PostgreSQL tests are skipped (when they are). */
export const postgresSkipReason = unreachable ?? '';

/** A fresh schema for one test file's store; dropped by the returned function. */
export const createTestSchema = async (): Promise<{ schema: string; drop: () => Promise<void> }> => {
  const schema = `test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  return {
    schema,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: PG_URL });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dropper.end();
    },
  };
};

/** A fresh database of its own (for what a schema cannot show: `public`, other schemas); dropped by the returned function. */
export const createTestDatabase = async (): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: PG_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
};
