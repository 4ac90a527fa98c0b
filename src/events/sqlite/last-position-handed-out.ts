import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

/** AUTOINCREMENT keeps the highest position handed out in sqlite_sequence, which only a commit moves and no delete moves back. */
export const lastPositionHandedOut: EventStoreOperations<SqlStatements>['lastPositionHandedOut'] = async (sql) =>
  Number((await sql.get<{ seq: number | string }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"))?.seq ?? 0);
