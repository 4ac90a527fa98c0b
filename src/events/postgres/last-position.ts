import type { SqlStatements } from '../sql-database.js';

export const lastPosition = async (sql: SqlStatements): Promise<number> =>
  (await sql.get<{ position: number }>('SELECT coalesce(max(position), 0) AS position FROM events'))?.position ?? 0;
