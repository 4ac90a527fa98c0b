import type { SqlExecutor } from '../events/sql-database.js';

/** Adds a nullable column to a table of an existing database; true when it was missing. */
export const addColumnIfMissing = async (db: SqlExecutor, table: string, column: string, type: string): Promise<boolean> => {
  const sql =
    db.dialect === 'sqlite'
      ? `SELECT 1 AS found FROM pragma_table_info('${table}') WHERE name = ?`
      : `SELECT 1 AS found FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}' AND column_name = ?`;
  if ((await db.get(sql, [column])) !== undefined) return false;
  await db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  return true;
};
