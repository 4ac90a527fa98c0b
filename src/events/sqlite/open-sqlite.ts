import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createMutex, type SqlDatabase, type SqlExecutor } from '../sql-database.js';
import type { SqliteOptions } from './sqlite-dsn.js';

type Connection = Database.Database;

const applyPragmas = (connection: Connection, options: SqliteOptions): void => {
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  connection.pragma(`journal_mode = ${options.journalMode}`);
  connection.pragma(`synchronous = ${options.synchronous}`);
  connection.pragma(`foreign_keys = ${options.foreignKeys ? 'ON' : 'OFF'}`);
};

/** An executor over one better-sqlite3 connection, with prepared statements cached by text. */
const executorOf = (connection: Connection): SqlExecutor => {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: 'sqlite',
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
    get: async <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).get(...params) as T | undefined,
    all: async <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as T[],
    exec: async (sql) => {
      connection.exec(sql);
    },
  };
};

/**
 * Opens the SQLite file with two connections: one that writes (one transaction at a time)
 * and one that reads, so that a read never sees a write that has not committed.
 */
export const openSqlite = (options: SqliteOptions): SqlDatabase => {
  const inMemory = options.path === ':memory:';
  if (!inMemory) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    if (!existsSync(options.path)) closeSync(openSync(options.path, 'a', 0o600));
    chmodSync(options.path, 0o600);
  }
  const writer = new Database(options.path);
  applyPragmas(writer, options);
  const reader = inMemory ? writer : new Database(options.path);
  if (reader !== writer) applyPragmas(reader, options);

  const writeExecutor = executorOf(writer);
  const readExecutor = executorOf(reader);
  const exclusive = createMutex();

  // data_version of the reading connection moves with every commit of any other connection
  const dataVersion = reader.prepare('PRAGMA data_version').pluck();
  return {
    ...readExecutor,
    location: options.path,
    changeMarker: inMemory ? undefined : () => dataVersion.get() as number,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      exclusive(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(writeExecutor);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      }),
    exec: writeExecutor.exec,
    close: async () => {
      await exclusive(async () => undefined);
      if (reader !== writer) reader.close();
      writer.close();
    },
  };
};
