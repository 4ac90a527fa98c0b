import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

export const countEvents: EventStoreOperations<SqlStatements>['countEvents'] = async (sql) =>
  Number((await sql.get<{ count: number | string }>('SELECT COUNT(*) AS count FROM events'))?.count ?? 0);
