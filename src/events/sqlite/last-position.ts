import type { SqlStatements } from '../sql-database.js';

export const lastPosition = async (sql: SqlStatements): Promise<number> =>
  (await sql.get<{ position: number | null }>('SELECT MAX(position) AS position FROM events'))?.position ?? 0;
