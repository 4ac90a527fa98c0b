import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { bindsPosition, GENESIS_HASH, recomputedHash } from './event-hash.js';
import type { EventRecord, StreamSummary } from './event-store.js';
import type { SqlExecutor } from './sql-database.js';

export interface ChainBreak {
  position: number;
  streamId: string;
  streamVersion: number;
  reason: string;
}

export interface ChainReport {
  events: number;
  streams: number;
  broken?: ChainBreak;
}

/** `positions 11 to 12 are missing before it`, or `position 11 is missing before it`. */
const missingPositions = (from: number, to: number): string =>
  from === to ? `position ${from} is missing before it: an event was deleted` : `positions ${from} to ${to} are missing before it: events were deleted`;

/**
 * The chain check fed one event at a time, in position order: `next` gives the break an event
 * makes (the check stops at the first), `end` checks the stream heads against the events' ends.
 * Shared by verifyHashChain and the rebuild, which checks the events as it folds them (one read
 * of the log instead of two).
 */
export interface ChainCheck {
  next(row: EventRecord): ChainBreak | undefined;
  end(streams: readonly StreamSummary[]): ChainBreak | undefined;
  /** Events checked and streams seen so far. */
  readonly events: number;
  readonly streams: number;
}

/** Where a stream's chain stands: its last event's version, hash and position. */
export interface ChainHead {
  version: number;
  hash: string;
  position: number;
}

export const GENESIS_HEAD: ChainHead = { version: 0, hash: GENESIS_HASH, position: 0 };

/** The fields of an event the chain's links are checked on (its bytes are the hash's). */
export type LinkFields = Pick<EventRecord, 'position' | 'stream_id' | 'stream_version' | 'prev_hash' | 'hash'>;

/**
 * One event checked against what comes before it: its stream's head, the position of the event
 * before it in the log, and whether an event before it bound its position. `hashOf` gives the hash
 * its stored bytes make after the head's hash (asked only once its prev_hash names the head).
 */
export const checkLink = (
  row: LinkFields,
  head: ChainHead,
  previousPosition: number,
  bound: boolean,
  hashOf: (prevHash: string) => string,
): ChainBreak | undefined => {
  const { position, stream_version: streamVersion } = row;
  const fail = (reason: string): ChainBreak => ({ position, streamId: row.stream_id, streamVersion, reason });
  if (streamVersion !== head.version + 1) return fail(`stream version ${streamVersion} follows ${head.version}`);
  if (row.prev_hash !== head.hash) return fail('its prev_hash does not match the hash of the event before it');
  if (hashOf(head.hash) !== row.hash) return fail('its stored bytes do not match its hash');
  if (bindsPosition(row.hash)) {
    if (position !== previousPosition + 1) return fail(missingPositions(previousPosition + 1, position - 1));
  } else if (bound) return fail('its hash does not bind its position though the events before it do: it was rehashed');
  return undefined;
};

/** The stream heads checked against the chain's heads at the end of the log. */
export const checkHeads = (heads: ReadonlyMap<string, ChainHead>, streams: readonly StreamSummary[]): ChainBreak | undefined => {
  for (const stream of streams) {
    const head = heads.get(stream.streamId);
    if (!head || head.version !== stream.version || head.hash !== stream.hash) {
      return {
        position: head?.position ?? 0,
        streamId: stream.streamId,
        streamVersion: stream.version,
        reason: 'the stream head does not match its last event',
      };
    }
  }
  const listed = new Set(streams.map((stream) => stream.streamId));
  for (const [streamId, head] of heads) {
    if (!listed.has(streamId)) return { position: head.position, streamId, streamVersion: head.version, reason: 'its stream has no head' };
  }
  return undefined;
};

/**
 * Recomputes every event's hash from its stored bytes and its stream's previous hash, in position
 * order, and checks the stream heads: the first event whose bytes, order or link do not match is
 * named by its position. An event whose hash binds its position (format 2) must follow the event
 * at the position before it: positions are handed out without gaps, so a missing one is a deleted
 * event, however many honest events were written after the hole. Once one event binds its
 * position, every later one must (an event rehashed in format 1 would hide a hole).
 */
export const startChainCheck = (): ChainCheck => {
  const heads = new Map<string, ChainHead>();
  let events = 0;
  let previousPosition = 0;
  let bound = false;
  return {
    get events() {
      return events;
    },
    get streams() {
      return heads.size;
    },
    next(row) {
      const head = heads.get(row.stream_id) ?? GENESIS_HEAD;
      const broken = checkLink(row, head, previousPosition, bound, (prevHash) => recomputedHash(prevHash, row));
      if (broken) return broken;
      if (bindsPosition(row.hash)) bound = true;
      previousPosition = row.position;
      heads.set(row.stream_id, { version: row.stream_version, hash: row.hash, position: row.position });
      events += 1;
      return undefined;
    },
    end: (streams) => checkHeads(heads, streams),
  };
};

/**
 * The whole chain checked (see startChainCheck), read in chunks. It lets the event loop run between
 * chunks (SQLite reads synchronously), so that a server checking in the background keeps answering.
 */
export const verifyHashChain = async (
  executor: SqlExecutor,
  options: { chunkSize?: number; onEvents?: (count: number) => void | Promise<void> } = {},
): Promise<ChainReport> => {
  // a chunk's rows die young: 5,000 events of 4 KB (20 MB) outlived the young generation, and
  // their promotion and the mark-compacts it brings took most of the check's time (2.5x slower)
  const chunkSize = options.chunkSize ?? 500;
  const check = startChainCheck();
  const report = (broken?: ChainBreak): ChainReport =>
    broken ? { events: check.events, streams: check.streams, broken } : { events: check.events, streams: check.streams };
  for (let after = 0; ; ) {
    // the stored bytes as they are (not parsed): the hash covers them
    const rows = await executor.events.readRecords({ after, limit: chunkSize });
    for (const row of rows) {
      const broken = check.next(row);
      if (broken) return report(broken);
    }
    await options.onEvents?.(rows.length);
    if (rows.length > 0) after = rows[rows.length - 1].position;
    if (rows.length < chunkSize) {
      // another process may write while this one checks: a commit moves its events and its
      // stream's head together, so heads listed when no event has come after the last one read
      // are the heads of the events read (a later commit's events are read, and listed again)
      const streams = await executor.events.listStreams();
      if ((await executor.events.readRecords({ after, limit: 1 })).length === 0) return report(check.end(streams));
    }
    await yieldToEventLoop();
  }
};

/** `event at position 7 (registry "team", version 5): <reason>`: how every tool names a break. */
export const describeChainBreak = (broken: ChainBreak): string =>
  `event at position ${broken.position} (registry "${broken.streamId}", version ${broken.streamVersion}): ${broken.reason}`;

/**
 * Where the store keeps the last position it handed out (SQLite's `sqlite_sequence`), a log that
 * ends before it lost its tail.
 */
export const lostTail = async (executor: SqlExecutor): Promise<string | undefined> => {
  const handedOut = await executor.events.lastPositionHandedOut();
  if (handedOut === undefined) return undefined;
  const lastPosition = await executor.events.lastPosition();
  if (handedOut <= lastPosition) return undefined;
  return `the log ends at position ${lastPosition} but positions up to ${handedOut} were committed: events were deleted from its tail`;
};

/**
 * The cheap half of the chain check, for a server's start: each stream head must name its stream's
 * last event, whose stored bytes must still give its hash. O(streams), whatever the history's length.
 */
export const verifyStreamHeads = async (executor: SqlExecutor): Promise<ChainBreak | undefined> => {
  const ends = await executor.events.readStreamEnds();
  for (const { streamId, head, headEvent, lastVersion } of ends) {
    if (!head) continue;
    const broken = (reason: string): ChainBreak => ({ position: headEvent?.position ?? 0, streamId, streamVersion: head.version, reason });
    if (!headEvent) return broken('the stream head names an event that does not exist');
    if (lastVersion !== head.version) return broken(`the stream head is at version ${head.version} but its events go on to ${lastVersion}`);
    if (headEvent.hash !== head.hash) return broken('the stream head does not match its last event');
    if (recomputedHash(headEvent.prev_hash, headEvent) !== headEvent.hash) return broken('its stored bytes do not match its hash');
  }
  const orphan = ends.find((end) => !end.head);
  if (orphan) return { position: 0, streamId: orphan.streamId, streamVersion: 0, reason: 'its stream has no head' };
  return undefined;
};
