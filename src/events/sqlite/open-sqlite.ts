import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createMutex, sqlTransactionOf, type SqlDatabase, type SqlExecutor, type SqlStatements, type SqlTransaction } from '../sql-database.js';
import { sqliteEventStore } from './sqlite-event-store.js';
import { SQLITE_FLAVOUR } from './sqlite-flavour.js';
import { positionalSql } from './positional-parameters.js';
import type { SqliteOptions } from './sqlite-dsn.js';
import { createWalSync } from './wal-sync.js';
import { createWalCheckpointer, DEFAULT_CHECKPOINT_AFTER_BYTES } from './wal-checkpointer.js';
import { checkChainAside } from './chain-check-aside.js';
import { databaseBusy, isSqliteBusy, whileBusy } from './busy-retry.js';

type Connection = Database.Database;

/** Sets the connection up and returns the journal mode SQLite actually took (`memory` for `:memory:`). */
const applyPragmas = (connection: Connection, options: SqliteOptions): string => {
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  // before the journal mode: turning a new file to WAL is a write, synced as this says
  connection.pragma(`synchronous = ${options.synchronous}`);
  const journalMode = String(connection.pragma(`journal_mode = ${options.journalMode}`, { simple: true }));
  connection.pragma(`foreign_keys = ${options.foreignKeys ? 'ON' : 'OFF'}`);
  return journalMode.toUpperCase();
};

/** 16 MiB of 4 KiB pages: four times the worker's threshold. */
const WRITER_CHECKPOINT_PAGES = 4096;

const FSYNC_EVERY_COMMIT = new Set(['FULL', 'EXTRA', '2', '3']);

/**
 * An executor over one better-sqlite3 connection, with prepared statements cached by text. With
 * `busyWaitMs`, a statement outside a transaction that finds the database locked is tried again on
 * timers for up to that long, and one inside a transaction fails at once; both end as
 * DatabaseUnavailable (503), never as a raw SQLITE_BUSY (500).
 */
const executorOf = (connection: Connection, busyWaitMs?: number): SqlExecutor => {
  const prepared = new Map<string, { statement: Database.Statement; order: number[] }>();
  /**
   * The statement of `sql` and its values in the order it binds them (see positionalSql), to pass
   * as arguments: better-sqlite3 binds those faster than the items of an array.
   */
  const bound = (sql: string, params: readonly unknown[]): [Database.Statement, unknown[]] => {
    let entry = prepared.get(sql);
    if (!entry) {
      const positional = positionalSql(sql);
      entry = { statement: connection.prepare(positional.sql), order: positional.order };
      prepared.set(sql, entry);
    }
    return [entry.statement, entry.order.map((index) => params[index])];
  };
  const locked = <T>(attempt: () => T): T | Promise<T> => {
    if (busyWaitMs === undefined) return attempt();
    // a statement of an open transaction may not simply run again after a BUSY
    if (!connection.inTransaction) return whileBusy(attempt, Date.now() + busyWaitMs);
    try {
      return attempt();
    } catch (error) {
      throw isSqliteBusy(error) ? databaseBusy(0) : error;
    }
  };
  const run = (sql: string, params: readonly unknown[]) =>
    locked(() => {
      const [statement, values] = bound(sql, params);
      return statement.run(...values).changes;
    });
  const statements: SqlStatements = {
    flavour: SQLITE_FLAVOUR,
    run: async (sql, params = []) => run(sql, params),
    write: async (sql, params = []) => {
      await run(sql, params);
    },
    get: async <T>(sql: string, params: readonly unknown[] = []) =>
      locked(() => {
        const [statement, values] = bound(sql, params);
        return statement.get(...values) as T | undefined;
      }),
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      locked(() => {
        const [statement, values] = bound(sql, params);
        return statement.all(...values) as T[];
      }),
    rows: async (sql, params = []) =>
      locked(() => {
        const [statement, values] = bound(sql, params);
        // the statement is cached by its text and may serve `all` too: raw for this call only
        statement.raw(true);
        try {
          return statement.all(...values) as unknown[][];
        } finally {
          statement.raw(false);
        }
      }),
    // outside a transaction only the set-up's idempotent DDL (CREATE ... IF NOT EXISTS) runs here:
    // after a BUSY the whole text may run again
    exec: async (sql) => {
      await locked(() => connection.exec(sql));
    },
  };
  return { ...statements, events: sqliteEventStore(statements) };
};

/**
 * Opens an existing SQLite file read-only (the operator commands that only read): one connection
 * that cannot write the file, no schema set-up, no journal-mode change, no checkpoint, no chmod.
 * Its transactions may write temporary tables only (verify's shadow copy).
 */
const openSqliteReadOnly = (options: SqliteOptions): SqlDatabase => {
  const connection = new Database(options.path, { readonly: true, fileMustExist: true });
  // a command, not the server: it may wait for a lock as SQLite waits
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  const executor = executorOf(connection);
  const inTransaction = sqlTransactionOf(executor);
  const exclusive = createMutex();
  return {
    ...executor,
    location: options.path,
    durableCommits: false,
    transaction: async <T>(fn: (tx: SqlTransaction) => Promise<T>, afterCommit?: () => void) => {
      const result = await exclusive(async () => {
        connection.exec('BEGIN');
        try {
          const value = await fn(inTransaction);
          connection.exec('COMMIT');
          return value;
        } catch (error) {
          if (connection.inTransaction) connection.exec('ROLLBACK');
          throw error;
        }
      });
      afterCommit?.();
      return result;
    },
    close: async () => {
      await exclusive(async () => undefined);
      connection.close();
    },
  };
};

/**
 * Opens the SQLite file with two connections: one that writes (one transaction at a time)
 * and one that reads, so that a read never sees a write that has not committed.
 */
export const openSqlite = (options: SqliteOptions, mode: { readonly?: boolean } = {}): SqlDatabase => {
  if (mode.readonly) return openSqliteReadOnly(options);
  const inMemory = options.path === ':memory:';
  if (!inMemory) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    if (!existsSync(options.path)) closeSync(openSync(options.path, 'a', 0o600));
    chmodSync(options.path, 0o600);
  }
  const durableCommits = FSYNC_EVERY_COMMIT.has(options.synchronous.toUpperCase());
  // In WAL mode a commit with synchronous=FULL would block the event loop for its fsync. Instead the
  // writer commits with NORMAL (the WAL stays consistent) and the WAL is fsynced on the thread pool
  // before a transaction resolves: the same guarantee, while the next batch already runs.
  const writer = new Database(options.path);
  const inWal = applyPragmas(writer, options) === 'WAL';
  const syncsWalItself = durableCommits && inWal;
  if (syncsWalItself) writer.pragma('synchronous = NORMAL');
  const reader = inMemory ? writer : new Database(options.path);
  if (reader !== writer) applyPragmas(reader, options);
  // Opening may wait for a lock as SQLite waits (nothing is served yet). From here on the busy
  // timeout is 0: SQLite's busy handler sleeps on the calling thread, the event loop; the
  // executors wait for a lock on timers instead, for as long (see whileBusy).
  writer.pragma('busy_timeout = 0');
  reader.pragma('busy_timeout = 0');
  const walSync = syncsWalItself ? createWalSync(`${options.path}-wal`) : undefined;
  const checkpointer = inWal
    ? createWalCheckpointer({
        path: options.path,
        busyTimeoutMs: options.busyTimeoutMs,
        afterBytes: DEFAULT_CHECKPOINT_AFTER_BYTES,
        onFailure: () => writer.pragma('wal_autocheckpoint = 1000'),
      })
    : undefined;
  // The writer still checkpoints, rarely: under a steady stream of writes the worker never copies
  // the very last frames, and only a checkpoint that copies all of them lets the WAL start over.
  if (checkpointer) writer.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);

  const writeExecutor = executorOf(writer, options.busyTimeoutMs);
  const writeTransaction = sqlTransactionOf(writeExecutor);
  const readExecutor = executorOf(reader, options.busyTimeoutMs);
  const exclusive = createMutex();

  // data_version of the reading connection moves with every commit of any other connection. Asking
  // opens a read transaction (microseconds), so it is asked once per turn of the event loop, and
  // again after each commit of this process.
  const dataVersion = reader.prepare('PRAGMA data_version').pluck();
  let markerOfThisTurn: number | undefined;
  const forgetMarker = () => {
    markerOfThisTurn = undefined;
  };
  const changeMarker = (): number => {
    if (markerOfThisTurn === undefined) {
      markerOfThisTurn = dataVersion.get() as number;
      setImmediate(forgetMarker);
    }
    return markerOfThisTurn;
  };
  return {
    ...readExecutor,
    location: options.path,
    changeMarker: inMemory ? undefined : changeMarker,
    checkChainAside: checkChainAside(options),
    // in WAL mode only: another connection reads while the writer's transaction holds its pages
    threadReader: inWal ? options : undefined,
    durableCommits,
    transaction: async <T>(fn: (tx: SqlTransaction) => Promise<T>, afterCommit?: () => void) => {
      // the wait for another process's lock counts from the call: a write queued behind one that
      // waits does not wait as long again once its turn comes
      const deadline = Date.now() + options.busyTimeoutMs;
      const result = await exclusive(async () => {
        await whileBusy(() => writer.exec('BEGIN IMMEDIATE'), deadline);
        try {
          const value = await fn(writeTransaction);
          // a COMMIT that finds a lock (rollback-journal mode: readers of other processes) keeps the transaction open
          await whileBusy(() => writer.exec('COMMIT'), Math.max(deadline, Date.now() + options.busyTimeoutMs));
          forgetMarker();
          checkpointer?.afterCommit();
          return value;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      });
      afterCommit?.();
      await walSync?.sync();
      return result;
    },
    exec: writeExecutor.exec,
    close: async () => {
      await exclusive(async () => undefined);
      await walSync?.close();
      await checkpointer?.close();
      // a clean stop leaves the database file complete (a cp of it is a whole database), unless
      // another process holds a lock or reads an older snapshot (then the next start copies the WAL)
      if (inWal) {
        try {
          writer.pragma('wal_checkpoint(TRUNCATE)');
        } catch (error) {
          if (!isSqliteBusy(error)) throw error;
        }
      }
      if (reader !== writer) reader.close();
      writer.close();
    },
  };
};
