import { afterEach, expect, it } from 'vitest';
import type { SqlDatabase } from '../../src/events/sql-database.js';
import { describeEachBackend } from '../support/backends.js';
import { openEmptyEventDatabase } from '../support/event-stores.js';

describeEachBackend('SqlStatements.rows on %s', (backend) => {
  let opened: { db: SqlDatabase; remove: () => Promise<void> | void } | undefined;
  afterEach(async () => {
    await opened?.db.close();
    await opened?.remove();
    opened = undefined;
  });

  it('gives each row as its columns in the statement’s order, and leaves the same statement giving objects to `all`', async () => {
    opened = await openEmptyEventDatabase(backend);
    const { db } = opened;
    const sql = `SELECT 'b' AS second_name, 1 AS first_name UNION ALL SELECT 'd', 2 ORDER BY 2`;
    await db.transaction(async (tx) => {
      expect(await tx.rows(sql)).toEqual([
        ['b', 1],
        ['d', 2],
      ]);
      // better-sqlite3 caches the statement by its text: raw for the call to `rows` only
      expect(await tx.all(sql)).toEqual([
        { second_name: 'b', first_name: 1 },
        { second_name: 'd', first_name: 2 },
      ]);
      expect(await tx.rows(sql)).toEqual([
        ['b', 1],
        ['d', 2],
      ]);
    });
  });
});
