import { bindEventStore, type EventStore } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { SHARED_SQL_OPERATIONS } from '../sql/shared-operations.js';
import { appendToStreamWith, type StreamHeadGuesses } from './append-to-stream.js';
import { lastPositionHandedOut } from './last-position-handed-out.js';
import { readAll } from './read-all.js';

/**
 * The event log in PostgreSQL, seen through one connection (inside a transaction, the
 * transaction's). `guesses`: the heads this process wrote last (see append-to-stream.ts).
 */
export const postgresEventStore = (sql: SqlStatements, guesses?: StreamHeadGuesses): EventStore =>
  bindEventStore(sql, { ...SHARED_SQL_OPERATIONS, appendToStream: appendToStreamWith(guesses), readAll, lastPositionHandedOut });
