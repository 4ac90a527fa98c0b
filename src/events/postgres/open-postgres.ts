import pg from 'pg';
import { createMutex, type SqlDatabase, type SqlExecutor } from '../sql-database.js';

// BIGINT (positions, versions, times) as numbers: every value stays below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** `?` placeholders to `$1, $2, ...` (our SQL has no `?` inside literals). */
const numberPlaceholders = (sql: string): string => {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
};

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

const executorOf = (client: Queryable): SqlExecutor => ({
  dialect: 'postgres',
  run: async (sql, params = []) => (await client.query(numberPlaceholders(sql), [...params])).rowCount ?? 0,
  get: async <T>(sql: string, params: readonly unknown[] = []) =>
    (await client.query(numberPlaceholders(sql), [...params])).rows[0] as T | undefined,
  all: async <T>(sql: string, params: readonly unknown[] = []) =>
    (await client.query(numberPlaceholders(sql), [...params])).rows as T[],
  exec: async (sql) => {
    await client.query(sql);
  },
});

/** Write transactions of every instance take this lock, so positions commit in order. */
const APPEND_LOCK_KEY = 0x70726567; // "preg"

const redact = (connectionString: string): string => connectionString.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1@');

/**
 * PostgreSQL through a pool. With `readonly` (operator commands that only read), a transaction
 * sees one snapshot and takes no lock. Otherwise each write transaction holds a transaction-scoped advisory lock:
 * events get their global positions in commit order, so a reader that saw position N never
 * later finds a smaller position appear (the change feed relies on it).
 */
export const openPostgres = (connectionString: string, options: { schema?: string; readonly?: boolean } = {}): SqlDatabase => {
  const pool = new pg.Pool({
    connectionString,
    max: 8,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const readExecutor = executorOf(pool);
  const exclusive = createMutex();
  return {
    ...readExecutor,
    location: redact(connectionString),
    durableCommits: true,
    transaction: async <T>(fn: (tx: SqlExecutor) => Promise<T>, afterCommit?: () => void) => {
      const result = await exclusive(async () => {
        const client = await pool.connect();
        try {
          if (options.readonly) {
            // one snapshot, no lock that would hold the writers back; only temporary tables are written
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          } else {
            await client.query('BEGIN');
            await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_KEY]);
          }
          const result = await fn(executorOf(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      });
      afterCommit?.();
      return result;
    },
    close: async () => {
      await exclusive(async () => undefined);
      await pool.end();
    },
  };
};
