import type { ChainCheckAside } from './chain-segments.js';
import type { EventStore } from './event-store.js';
import type { SqlFlavour } from './sql-flavour.js';
import type { SqliteOptions } from './sqlite/sqlite-dsn.js';
import type { TransactionalStore, WriteTransaction } from './write-transaction.js';

/**
 * The little SQL surface the stores need, the same for SQLite and PostgreSQL. Parameters are
 * written `$1`, `$2`, ... (as PostgreSQL numbers them; SQLite's executor makes them `?` bound in
 * order, see positional-parameters.ts), never `?`: the text goes to PostgreSQL as written, so its
 * `?`-family jsonb operators stay usable.
 */
export interface SqlStatements {
  /** The backend's SQL pieces (types, JSON functions, collation): shared SQL never names a backend. */
  readonly flavour: SqlFlavour;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Each row as an array of its columns, in the statement's order: for reads of many rows, where
   * better-sqlite3's object per row (built property by property in C++) costs more than the read.
   */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /**
   * A write whose row count nobody reads. In PostgreSQL's write transactions it is sent without
   * waiting for its answer: its error, if any, is thrown by the next statement that is waited for,
   * at the latest by the release of its savepoint or the commit. Elsewhere it is `run`.
   */
  write(sql: string, params?: readonly unknown[]): Promise<void>;
  exec(sql: string): Promise<void>;
}

/** SQL statements and the event log, both seen through one connection (a transaction's, or the reading one). */
export interface SqlExecutor extends SqlStatements {
  readonly events: EventStore;
}

/** The executor of a write transaction: savepoints are SQL SAVEPOINTs. */
export interface SqlTransaction extends SqlExecutor, WriteTransaction<EventStore> {}

export interface SqlDatabase extends SqlExecutor, TransactionalStore<SqlTransaction> {
  /**
   * Where the events table's layout changes the SQL that reads it (PostgreSQL: whether its rows
   * carry the profile copies, see sql/profile-columns.ts), reads the layout from the database: for
   * opens that migrate nothing (read-only), which may find an earlier release's table.
   */
  readEventLayout?(): Promise<void>;
  /**
   * Runs `fn` in one write transaction; writers of this process queue behind each other. Resolves
   * once the commit is durable (see `durableCommits`). `afterCommit` runs as soon as the commit
   * is done and the next transaction may start, which can be before it reached the disk.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>, afterCommit?: () => void): Promise<T>;
  /** Whether a resolved `transaction` has reached the disk (survives power loss), not just the OS. */
  readonly durableCommits: boolean;
  close(): Promise<void>;
  /** Where the data lives, for logs (never with credentials). */
  readonly location: string;
  /**
   * A number that changes whenever any connection (of this process or another) commits, where the
   * database can tell it cheaply (SQLite's data_version). Reads may be cached until it changes.
   * It moves at once with this process's own commits; another process's commit is seen from the
   * next turn of the event loop on. On PostgreSQL it is the head of the event log, asked in a
   * query that starts after the call (calls that wait together share one query), or read by one
   * that started within the read lease (see `createHeadReader`).
   */
  changeMarker?: () => number | Promise<number>;
  /**
   * Where other instances may serve reads under a lease (PostgreSQL's `--pg-read-lease`): waits
   * until a commit that a read made before this call saw may be acknowledged (a replayed answer).
   */
  settleBeforeAcknowledging?(): Promise<void>;
  /**
   * Runs `fn` while no other process runs its own (schema set-up and upgrades on a database that
   * several instances share); where the database is used by one process at a time, just runs it.
   */
  withSchemaLock?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Starts the hash chain check on another thread (the whole log, in segments the caller's thread
   * shares while its fold waits, their events handed to the fold: ChainCheckAside); called by a
   * writer's transaction, whose lock keeps the events the same. Absent where it cannot run.
   */
  checkChainAside?(): ChainCheckAside;
  /**
   * What a worker thread of this process passes to `openSqlite(…, { readonly: true })` to read the
   * same file on its own connection (the rebuild's rows aside); absent in memory, out of WAL mode and on PostgreSQL.
   */
  readonly threadReader?: SqliteOptions;
  /**
   * Calls `listener` as soon as another process commits to this database (or may have committed
   * unseen, e.g. after a lost connection); where the database cannot tell, never.
   */
  onExternalCommit?(listener: () => void): () => void;
}

/** Runs fn inside a savepoint: a throw rolls back only its own writes and is re-thrown. */
export const withSavepoint = async <T>(tx: SqlExecutor, name: string, fn: () => Promise<T>): Promise<T> => {
  await tx.exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await tx.exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await tx.exec(`ROLLBACK TO SAVEPOINT ${name}`);
    await tx.exec(`RELEASE SAVEPOINT ${name}`);
    throw error;
  }
};

/** The executor of a transaction as a WriteTransaction. */
export const sqlTransactionOf = (executor: SqlExecutor): SqlTransaction => ({
  ...executor,
  savepoint: (fn) => withSavepoint(executor, 'nested', fn),
});

/** Serializes async critical sections (one write transaction at a time per process). */
export const createMutex = () => {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
};
