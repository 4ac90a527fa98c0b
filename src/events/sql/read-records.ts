import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { eventRecordFromColumns, STORED_EVENT_COLUMNS } from '../stored-event-row.js';

/** The log's rows in position order: a chain check reads every event this way, so each row comes as an array of its columns. */
export const readRecords: EventStoreOperations<SqlStatements>['readRecords'] = async (sql, { after = 0, limit = 1000 } = {}) =>
  (await sql.rows(`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [after, limit])).map(
    eventRecordFromColumns,
  );
