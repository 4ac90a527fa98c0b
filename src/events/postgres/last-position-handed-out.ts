import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/**
 * `event_positions` holds the highest position handed out: only a commit moves it and no delete
 * moves it back (undefined on a database no writer of this release has opened yet).
 */
export const lastPositionHandedOut: EventStoreOperations<SqlStatements>['lastPositionHandedOut'] = async (sql) => {
  const table = await sql.get<{ name: string | null }>("SELECT to_regclass('event_positions')::text AS name");
  if (!table?.name) return undefined;
  const row = await sql.get<{ last_position: number | string }>('SELECT last_position FROM event_positions WHERE id = 1');
  return row ? Number(row.last_position) : undefined;
};
