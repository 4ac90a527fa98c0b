import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

export const lastPosition: EventStoreOperations<SqlStatements>['lastPosition'] = async (sql) =>
  Number((await sql.get<{ position: number | string }>('SELECT COALESCE(MAX(position), 0) AS position FROM events'))?.position ?? 0);
