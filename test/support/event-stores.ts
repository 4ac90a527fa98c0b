import { describe } from 'vitest';
import type { EventStore } from '../../src/events/event-store.js';
import { eventStoreSchema } from '../../src/events/event-store-schema.js';
import { createInMemoryEventStore } from '../../src/events/in-memory/in-memory-event-store.js';
import { openDatabase } from '../../src/events/open-database.js';
import type { SqlDatabase } from '../../src/events/sql-database.js';
import type { WriteTransaction } from '../../src/events/write-transaction.js';
import { describeEachBackend } from './backends.js';
import { createTestSchema, PG_URL } from './postgres.js';
import type { Backend } from './test-store.js';
import { tempDir } from './test-store.js';

/** An empty event log under test: reads outside any transaction, appends inside one. */
export interface EventStoreUnderTest {
  /** The store seen outside transactions. */
  reads: EventStore;
  /** Runs `fn` in one write transaction with the store bound to it (`tx`: for savepoints); a throw rolls it back. */
  transaction<T>(fn: (store: EventStore, tx: WriteTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** An empty event log in a database of its own (a SQLite file, a fresh PostgreSQL schema); `remove` deletes it once closed. */
export const openEmptyEventDatabase = async (backend: Backend): Promise<{ db: SqlDatabase; remove: () => Promise<void> | void }> => {
  const place =
    backend === 'sqlite'
      ? (({ dir, remove }) => ({ db: openDatabase({ path: `${dir}/events.db` }), remove }))(tempDir())
      : await createTestSchema().then(({ schema, drop }) => ({ db: openDatabase({ dsn: PG_URL, schema }), remove: drop }));
  await place.db.exec(eventStoreSchema(place.db.flavour));
  return place;
};

const onDatabase = ({ db, remove }: { db: SqlDatabase; remove: () => Promise<void> | void }): EventStoreUnderTest => {
  return {
    reads: db.events,
    transaction: (fn) => db.transaction((tx) => fn(tx.events, tx)),
    close: async () => {
      await db.close();
      await remove();
    },
  };
};

const openEventStore = async (backend: Backend | 'in-memory'): Promise<EventStoreUnderTest> => {
  if (backend === 'in-memory') {
    const log = createInMemoryEventStore();
    return { reads: log, transaction: (fn) => log.transaction((tx) => fn(tx.events, tx)), close: async () => undefined };
  }
  return onDatabase(await openEmptyEventDatabase(backend));
};

/**
 * Declares a suite once per EventStore implementation: in memory, on a SQLite file, on a fresh
 * PostgreSQL schema (skipped with the reason when none answers). `open` gives an empty log.
 */
export const describeEachEventStore = (title: string, factory: (open: () => Promise<EventStoreUnderTest>) => void): void => {
  describe(title.replace('%s', 'in-memory'), () => factory(() => openEventStore('in-memory')));
  describeEachBackend(title, (backend) => factory(() => openEventStore(backend)));
};
