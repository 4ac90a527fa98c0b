import { GENESIS_HASH } from '../event-hash.js';
import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

export const streamHead: EventStoreOperations<SqlStatements>['streamHead'] = async (sql, streamId) => {
  const row = await sql.get<{ version: number | string; last_hash: string }>('SELECT version, last_hash FROM streams WHERE stream_id = $1', [streamId]);
  return row ? { version: Number(row.version), hash: row.last_hash } : { version: 0, hash: GENESIS_HASH };
};
