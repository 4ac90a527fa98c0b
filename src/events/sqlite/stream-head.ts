import { GENESIS_HASH } from '../event-hash.js';
import type { StreamHead } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';

export const streamHead = async (sql: SqlStatements, streamId: string): Promise<StreamHead> => {
  const row = await sql.get<{ version: number; last_hash: string }>('SELECT version, last_hash FROM streams WHERE stream_id = $1', [streamId]);
  return row ? { version: row.version, hash: row.last_hash } : { version: 0, hash: GENESIS_HASH };
};
