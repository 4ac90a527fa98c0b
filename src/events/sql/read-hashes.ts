import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/** One primary-key lookup per position. */
export const readHashes: EventStoreOperations<SqlStatements>['readHashes'] = async (sql, positions) => {
  if (positions.length === 0) return new Map();
  const rows = await sql.all<{ position: number | string; hash: string }>(
    `SELECT position, hash FROM events WHERE ${sql.flavour.integerIn('position', '$1')}`,
    [sql.flavour.integerListParam(positions)],
  );
  return new Map(rows.map((row) => [Number(row.position), row.hash]));
};
