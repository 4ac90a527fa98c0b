import { bindEventStore, type EventStore } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { appendToStream } from './append-to-stream.js';
import { lastPosition } from './last-position.js';
import { readAll } from './read-all.js';
import { readStream } from './read-stream.js';
import { streamHead } from './stream-head.js';

/** The event log in SQLite, seen through one connection (inside a transaction, the transaction's). */
export const sqliteEventStore = (sql: SqlStatements): EventStore =>
  bindEventStore(sql, { appendToStream, readStream, readAll, streamHead, lastPosition });
