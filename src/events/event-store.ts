import type { ProfileContent } from '../domain/profile.js';
import type { HashedFields } from './event-hash.js';
import type { DomainEvent, EventMetadata, EventType, StoredEvent } from './event-types.js';
import type { RunAhead } from './run-ahead.js';

/** Where a stream stands: its last version and the hash its next event chains from. */
export interface StreamHead {
  version: number;
  hash: string;
}

/** A stream's head as the last append recorded it, with the position of its last event. */
export interface StreamSummary extends StreamHead {
  streamId: string;
  lastPosition: number;
}

/**
 * An event as its bytes are stored: data and metadata as the JSON text its hash was computed
 * over, not parsed (verification checks these bytes, and reads them even where they no longer parse).
 */
export interface EventRecord extends HashedFields {
  position: number;
  prev_hash: string;
  hash: string;
}

/** Where a stream ends by its recorded head and by its events, for checking one against the other. */
export interface StreamEnd {
  streamId: string;
  /** The head the last append recorded; absent for events whose stream has no head. */
  head?: StreamHead;
  /** The stored event at the head's version, if there is one. */
  headEvent?: EventRecord;
  /** The last version the stream's events reach (0 when it has none). */
  lastVersion: number;
}

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  /** Only events that happened at or before this time. */
  untilMs?: number;
  /** At most this many events (all when not given). */
  limit?: number;
  /** Newest first: the last `limit` events of the range. */
  backwards?: boolean;
  /**
   * Only the registry's own events and those of these profiles from these profile versions on (a
   * profile's events after a snapshot: from its version there), each found by the profile index:
   * no other profile's event is read. Of a profile's updates in the range, only the last: an update
   * carries the whole content and leaves the creation's stamp and the signature as they were, so
   * a fold of the events read ends with the profile as a fold of all of them would.
   */
  profiles?: readonly ProfileVersionRef[];
}

export interface ReadAllOptions {
  /** Only events after this global position (0: from the start). */
  after?: number;
  /** At most this many events (1000 when not given). */
  limit?: number;
  /** Only this stream's events. */
  streamId?: string;
  /** Only events of these types. */
  types?: readonly EventType[];
}

/** A profile's version in a stream: `[profile slug, profile version]`. */
export type ProfileVersionRef = readonly [profile: string, version: number];

/** Which of a profile's versions to read: those before `beforeVersion`, only the `last` of them. */
export interface ProfileEventsOptions {
  beforeVersion?: number;
  last?: number;
}

/** One chunk of `readLatestContent`: the events it read of the versions up to `toVersion`. */
export interface LatestContentChunk {
  events: StoredEvent[];
  toVersion: number;
}

/** The content `readLatestContent` gives a creation that a later event of its profile replaces (never read). */
export const REPLACED_CONTENT = Object.freeze({}) as ProfileContent;

/**
 * The metadata the rebuild's read of the log (readLogForFold without records) gives an update of
 * the current shape, which it does not read: the stamp it makes is the profile's and the
 * registry's until a later event's replaces it, so the rebuild reads the metadata back only where
 * such a stamp is kept (a snapshot taken at it, the end of the fold; see rebuild.ts).
 */
export const UNREAD_METADATA: EventMetadata = Object.freeze({ actor: '', source: '', request_id: '', occurred_at_ms: 0 });

/**
 * The event log: one stream per registry (and one for schemas), a global position, a hash chain
 * per stream. An EventStore is bound to one transaction handle (a SQL executor's `events`, or the
 * store an in-memory log hands to its transaction): appends made through a transaction's store
 * commit or roll back with everything else that transaction wrote (the projector writes in it).
 * Implemented in sqlite/, postgres/ and in-memory/, one operation per file (sql/ holds those whose
 * SQL both databases share, assembled from the flavour); SQL differences live only there. Hash
 * chaining (chain-events.ts) is shared by all three.
 */
export interface EventStore {
  /**
   * Appends events after checking that the stream is still at `expectedVersion` (0: new stream);
   * throws StreamVersionConflict otherwise, writing nothing. Returns the events as stored. With
   * `runAhead`, a store may append on a guessed head without waiting to hear that it held, and
   * hand that answer to `runAhead` instead (see run-ahead.ts).
   */
  appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[], runAhead?: RunAhead): Promise<StoredEvent[]>;
  /** The events of one stream, oldest first (newest first with `backwards`). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Events of every stream (or one) after a global position, in position order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Events as stored (see EventRecord) after a global position, in position order. */
  readRecords(options?: Pick<ReadAllOptions, 'after' | 'limit'>): Promise<EventRecord[]>;
  /** One event as stored, by its stream and version. */
  readRecord(streamId: string, version: number): Promise<EventRecord | undefined>;
  /** The chain hash of the event at each of these positions (none for a position no event holds). */
  readHashes(positions: readonly number[]): Promise<Map<number, string>>;
  /**
   * The events that gave one profile of a stream its versions (created, updated, deleted), oldest
   * first; with options only the last `last` of those before `beforeVersion` (a page costs its own
   * events, however long the history).
   */
  readProfileEvents(streamId: string, profile: string, options?: ProfileEventsOptions): Promise<StoredEvent[]>;
  /** The events that gave these profile versions (one at most each; in no particular order). */
  readProfileEventsAt(streamId: string, versions: readonly ProfileVersionRef[]): Promise<StoredEvent[]>;
  /**
   * A stream's events up to `toVersion`, `chunkSize` versions at a time, for folding it to its
   * end: content that a later event of the same profile replaces is not read. A replaced
   * `profile.updated` is left out (with `keepReplaced`, it comes like a replaced creation: for a
   * fold that needs every version, such as one taking snapshots, but no content but the last); a
   * replaced `profile.created` of the current schema version comes with REPLACED_CONTENT (its other
   * data as stored).
   */
  readLatestContent(streamId: string, options: { toVersion: number; chunkSize: number; keepReplaced?: boolean }): AsyncIterable<LatestContentChunk>;
  /** The streams whose events created, changed or deleted a profile of that slug (in no particular order). */
  streamsNamingProfile(profile: string): Promise<string[]>;
  /** The stream's head; `{ version: 0, hash: GENESIS_HASH }` for a stream with no events. */
  streamHead(streamId: string): Promise<StreamHead>;
  /** The stream's version as of a time: the last of its events that happened last at or before it (0 when none did). */
  streamVersionAt(streamId: string, atMs: number): Promise<number>;
  /** The stream's version as of a global position: its last event at or before it (0 when none). */
  streamVersionAtPosition(streamId: string, position: number): Promise<number>;
  /** Every stream's recorded head, in stream id order. */
  listStreams(): Promise<StreamSummary[]>;
  /** Every stream with a head or with events: its head, the event the head names and its last version, in stream id order. */
  readStreamEnds(): Promise<StreamEnd[]>;
  /** The position of the last event of the log (0 when empty). */
  lastPosition(): Promise<number>;
  /** How many events the log holds. */
  countEvents(): Promise<number>;
  /**
   * The highest position ever handed out, where the store keeps one that only a commit moves
   * and nothing moves back (SQLite's sqlite_sequence); undefined elsewhere.
   */
  lastPositionHandedOut(): Promise<number | undefined>;
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
  readRecords: (...args) => operations.readRecords(handle, ...args),
  readRecord: (...args) => operations.readRecord(handle, ...args),
  readHashes: (...args) => operations.readHashes(handle, ...args),
  readProfileEvents: (...args) => operations.readProfileEvents(handle, ...args),
  readProfileEventsAt: (...args) => operations.readProfileEventsAt(handle, ...args),
  readLatestContent: (...args) => operations.readLatestContent(handle, ...args),
  streamsNamingProfile: (...args) => operations.streamsNamingProfile(handle, ...args),
  streamHead: (...args) => operations.streamHead(handle, ...args),
  streamVersionAt: (...args) => operations.streamVersionAt(handle, ...args),
  streamVersionAtPosition: (...args) => operations.streamVersionAtPosition(handle, ...args),
  listStreams: () => operations.listStreams(handle),
  readStreamEnds: () => operations.readStreamEnds(handle),
  lastPosition: () => operations.lastPosition(handle),
  countEvents: () => operations.countEvents(handle),
  lastPositionHandedOut: () => operations.lastPositionHandedOut(handle),
});

/**
 * The narrow faces of the event log. The write path (the command runner, the state cache,
 * `aggregateStream`) sees only the core, as Emmett's EventStore: append, read a stream, read all
 * from a position, a stream's head, its version at a time. Reads on the profile index (history,
 * signatures, snapshot contents, rebuild) and reads of the log as stored (verify, checkpoints,
 * the start-up check) are interfaces of their own; `EventStore` is all three.
 */
export type CoreEventStore = Pick<EventStore, 'appendToStream' | 'readStream' | 'readAll' | 'streamHead' | 'streamVersionAt'>;
export type ProfileIndexReads = Pick<EventStore, 'readProfileEvents' | 'readProfileEventsAt' | 'readLatestContent' | 'streamsNamingProfile'>;
export type AuditReads = Pick<
  EventStore,
  'readRecords' | 'readRecord' | 'readHashes' | 'listStreams' | 'readStreamEnds' | 'lastPosition' | 'countEvents' | 'lastPositionHandedOut'
>;
