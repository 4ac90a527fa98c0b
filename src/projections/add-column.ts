import type { SqlExecutor } from '../events/sql-database.js';

/** Adds a nullable column to a table of an existing database; true when it was missing. */
export const addColumnIfMissing = async (db: SqlExecutor, table: string, column: string, type: string): Promise<boolean> => {
  const sql = `SELECT 1 AS found FROM (${db.flavour.tableColumns(table)}) c WHERE c.name = $1`;
  if ((await db.get(sql, [column])) !== undefined) return false;
  await db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  return true;
};
