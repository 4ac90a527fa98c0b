import pg from 'pg';

export const PG_URL = process.env.PROFILE_REGISTRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = process.env.PROFILE_REGISTRY_REQUIRE_PG === '1';

const probe = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (REQUIRED) throw new Error(`PostgreSQL is required (PROFILE_REGISTRY_REQUIRE_PG=1) but ${PG_URL} is unreachable: ${String(error)}`);
    console.warn(`\n!!! PostgreSQL at ${PG_URL} is unreachable: PostgreSQL tests are SKIPPED (${String(error)}) !!!\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Whether PostgreSQL tests run; fails the run when PROFILE_REGISTRY_REQUIRE_PG=1 and it is missing. */
export const postgresAvailable = await probe();

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
