import type { DomainEvent, StoredEvent } from './event-types.js';

/** Where a stream stands: its last version and the hash its next event chains from. */
export interface StreamHead {
  version: number;
  hash: string;
}

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  /** Only events that happened at or before this time. */
  untilMs?: number;
}

export interface ReadAllOptions {
  /** Only events after this global position (0: from the start). */
  after?: number;
  /** At most this many events (1000 when not given). */
  limit?: number;
  /** Only this stream's events. */
  streamId?: string;
}

/**
 * The event log: one stream per registry (and one for schemas), a global position, a hash chain
 * per stream. An EventStore is bound to one transaction handle (a SQL executor's `events`, or the
 * store an in-memory log hands to its transaction): appends made through a transaction's store
 * commit or roll back with everything else that transaction wrote (the projector writes in it).
 * Implemented in sqlite/, postgres/ and in-memory/, one operation per file; SQL differences live
 * only there. Hash chaining (chain-events.ts) is shared by all three.
 */
export interface EventStore {
  /**
   * Appends events after checking that the stream is still at `expectedVersion` (0: new stream);
   * throws StreamVersionConflict otherwise, writing nothing. Returns the events as stored.
   */
  appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]>;
  /** The events of one stream, oldest first. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Events of every stream (or one) after a global position, in position order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** The stream's head; `{ version: 0, hash: GENESIS_HASH }` for a stream with no events. */
  streamHead(streamId: string): Promise<StreamHead>;
  /** The position of the last event of the log (0 when empty). */
  lastPosition(): Promise<number>;
}

/** The operations of an EventStore as functions of a handle (a connection, an in-memory log): one file each. */
export type EventStoreOperations<Handle> = {
  [Name in keyof EventStore]: (handle: Handle, ...args: Parameters<EventStore[Name]>) => ReturnType<EventStore[Name]>;
};

/** The EventStore that runs `operations` on `handle`. */
export const bindEventStore = <Handle>(handle: Handle, operations: EventStoreOperations<Handle>): EventStore => ({
  appendToStream: (...args) => operations.appendToStream(handle, ...args),
  readStream: (...args) => operations.readStream(handle, ...args),
  readAll: (...args) => operations.readAll(handle, ...args),
  streamHead: (...args) => operations.streamHead(handle, ...args),
  lastPosition: () => operations.lastPosition(handle),
});
