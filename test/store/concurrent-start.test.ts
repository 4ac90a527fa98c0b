import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { createRegistryStore } from '../../src/projections/registry-store.js';
import { readSchemaVersion, SCHEMA_VERSION } from '../../src/projections/schema-setup.js';
import { createTestSchema, PG_URL, postgresAvailable } from '../support/postgres.js';

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
