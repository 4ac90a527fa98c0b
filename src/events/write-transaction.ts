import type { CoreEventStore } from './event-store.js';

/**
 * What the command bus writes through: the event log bound to one write transaction, and
 * savepoints inside it. A SQL transaction is one (`SqlTransaction`: SAVEPOINT), and so is the
 * in-memory log's (an undo log). Projections written through the same handle share its fate.
 */
export interface WriteTransaction<Events extends CoreEventStore = CoreEventStore> {
  /** The write path's face of the log (bound to the transaction); a SQL transaction's `events` is the whole EventStore. */
  readonly events: Events;
  /** Runs `fn` so that a throw takes back only what was written inside it, and is re-thrown. Nests. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/** Where write transactions come from: one at a time per process. */
export interface TransactionalStore<Tx extends WriteTransaction> {
  /**
   * Runs `fn` in one write transaction: it commits when `fn` resolves, and a throw takes back all
   * it wrote. Resolves once the commit is durable; `afterCommit` runs as soon as the commit is
   * done and the next transaction may start.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, afterCommit?: () => void): Promise<T>;
  /**
   * Whether the command bus should run batches ahead (see run-ahead.ts): true where each answer
   * waited for is a round trip to a server (PostgreSQL); SQLite answers in the call, and its
   * batches stay as they were.
   */
  readonly runsAhead?: boolean;
}
