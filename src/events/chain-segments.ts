import { bindsPosition, recomputedHash } from './event-hash.js';
import type { EventRecord, StreamSummary } from './event-store.js';
import type { SqlExecutor } from './sql-database.js';
import { checkHeads, checkLink, GENESIS_HEAD, type ChainBreak, type ChainHead, type LinkFields } from './verify-hash-chain.js';
import { collectFoldEvents, foldEventsOf, type SegmentFoldEvents } from './segment-fold-events.js';
import type { LogChunk } from './sql/read-log-for-fold.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * An event of a segment whose checks need what comes before the segment: the first event of the
 * segment (the position and format of the event before it) and the first of each stream in it
 * (the stream's head). Its hash is checked where it was read, over its own prev_hash: once the
 * join finds the prev_hash names the head, that is the hash the whole chain check computes.
 */
export interface ChainSeam extends LinkFields {
  hashMatches: boolean;
  /** The position before it and whether an event before it bound its position, within the segment (the segment's first: unknown). */
  within?: { previousPosition: number; bound: boolean };
}

/**
 * The chain checked over a range of positions alone (see startSegmentCheck), for joining to the
 * ranges before it: segments are checked on several threads at once, each hashing its own events,
 * and joined in position order (joinChainSegments) to the verdict the one check in order gives.
 */
export interface ChainSegment {
  seams: ChainSeam[];
  /** The first break found among the events after the seams, if any (the check stops there). */
  broken?: ChainBreak;
  /** Each stream's head at the segment's end. */
  heads: [string, ChainHead][];
  events: number;
  lastPosition: number;
  /** Whether an event of the segment binds its position. */
  bound: boolean;
  /** Whether the check stopped before the segment's end: the chain is broken at or before where it stopped. */
  stopped: boolean;
  /** The events read, as a fold takes them (when asked for; up to where the check stopped). */
  fold?: SegmentFoldEvents;
}

/** The check of one segment, fed its events in position order; `next` is false once nothing after it matters. */
export const startSegmentCheck = () => {
  const heads = new Map<string, ChainHead>();
  const seams: ChainSeam[] = [];
  let broken: ChainBreak | undefined;
  let events = 0;
  let previousPosition = 0;
  let bound = false;
  return {
    next(row: EventRecord): boolean {
      const head = heads.get(row.stream_id);
      const hashOf = (prevHash: string) => recomputedHash(prevHash, row);
      if (head) {
        broken = checkLink(row, head, previousPosition, bound, hashOf);
        if (broken) return false;
      } else {
        const hashMatches = hashOf(row.prev_hash) === row.hash;
        const within = events === 0 ? undefined : { previousPosition, bound };
        seams.push({ position: row.position, stream_id: row.stream_id, stream_version: row.stream_version, prev_hash: row.prev_hash, hash: row.hash, hashMatches, within });
        // whatever its head turns out to be, an event that fails here is where the chain breaks
        if (!hashMatches || (within && linkBreak(seams[seams.length - 1], { ...GENESIS_HEAD, version: row.stream_version - 1, hash: row.prev_hash }, within))) return false;
      }
      if (bindsPosition(row.hash)) bound = true;
      previousPosition = row.position;
      heads.set(row.stream_id, { version: row.stream_version, hash: row.hash, position: row.position });
      events += 1;
      return true;
    },
    result: (stopped: boolean): ChainSegment => ({ seams, broken, heads: [...heads], events, lastPosition: previousPosition, bound, stopped }),
  };
};

const linkBreak = (seam: ChainSeam, head: ChainHead, before: { previousPosition: number; bound: boolean }) =>
  checkLink(seam, head, before.previousPosition, before.bound, () => (seam.hashMatches ? seam.hash : ''));

/**
 * The segments' verdicts joined in position order: each one's seams checked against the chain as
 * it stands at the segment's start, then its own first break, then the stream heads at the end.
 * The first break of the log in order is the one named, as the check in order names it.
 */
export const joinChainSegments = (segments: readonly ChainSegment[], streams: readonly StreamSummary[]): ChainBreak | undefined => {
  const heads = new Map<string, ChainHead>();
  let previousPosition = 0;
  let bound = false;
  for (const segment of segments) {
    for (const seam of segment.seams) {
      const broken = linkBreak(seam, heads.get(seam.stream_id) ?? GENESIS_HEAD, seam.within ?? { previousPosition, bound });
      if (broken) return broken;
    }
    if (segment.broken) return segment.broken;
    for (const [streamId, head] of segment.heads) heads.set(streamId, head);
    if (segment.events > 0) previousPosition = segment.lastPosition;
    bound ||= segment.bound;
  }
  return checkHeads(heads, streams);
};

/** A chain check running on other threads (SqlDatabase.checkChainAside). */
export interface ChainCheckAside {
  /**
   * The log's events as a fold of every stream to its end takes them (see foldEventsInOrder): the
   * threads checking the chain gather them as they read it, so the fold reads no event itself.
   */
  foldEvents(executor: Pick<SqlExecutor, 'events'>, options: FoldEventsOptions): AsyncIterable<LogChunk>;
  /** The verdict once every segment is checked. */
  verdict(): Promise<ChainBreak | undefined>;
}

export interface FoldEventsOptions {
  chunkSize: number;
  /** After each chunk of the log the caller's thread reads itself. */
  onEvents?: (count: number) => void | Promise<void>;
}

/** The positions after which segment `index` of `segments` starts and at which it ends, if the log has one. */
export const segmentRange = (index: number, segments: number, lastPosition: number): [after: number, upTo: number] | undefined => {
  const size = Math.max(1, Math.ceil(lastPosition / segments));
  return index * size < lastPosition ? [index * size, Math.min((index + 1) * size, lastPosition)] : undefined;
};

/** The events at positions after `after` up to `upTo` checked as one segment, read in chunks; with `foldEvents`, gathered for a fold too. */
export const checkSegment = async (
  executor: Pick<SqlExecutor, 'events'>,
  after: number,
  upTo: number,
  onEvents?: (count: number) => void | Promise<void>,
  foldEvents = false,
): Promise<ChainSegment> => {
  // see verifyHashChain: a chunk's 4 KB rows die young
  const chunkSize = 500;
  const check = startSegmentCheck();
  const fold = foldEvents ? collectFoldEvents() : undefined;
  const result = (stopped: boolean): ChainSegment => (fold ? { ...check.result(stopped), fold: fold.result() } : check.result(stopped));
  for (let from = after; from < upTo; ) {
    // positions are unique: no more rows than positions in the range (more only past a hole)
    const rows = await executor.events.readRecords({ after: from, limit: Math.min(chunkSize, upTo - from) });
    for (const row of rows) {
      if (row.position > upTo) return result(false);
      if (!check.next(row)) return result(true);
      fold?.add(row);
    }
    await onEvents?.(rows.length);
    if (rows.length === 0) break;
    from = rows[rows.length - 1].position;
  }
  return result(false);
};

/** The number of a segment no thread has taken, taken, while more than `leave` are untaken. */
const takeUnlessFew = (taken: Int32Array, segments: number, leave: number): number | undefined => {
  for (;;) {
    const index = Atomics.load(taken, 0);
    if (segments - index <= leave) return undefined;
    if (Atomics.compareExchange(taken, 0, index, index + 1) === index) return index;
  }
};

/**
 * Takes segments of the log one at a time (their numbers from a counter that threads share) and
 * checks each, gathering its events for a fold, until none is left: each handed to `onChecked`.
 */
export const checkSegmentsTaken = async (
  executor: Pick<SqlExecutor, 'events'>,
  taken: Int32Array,
  segments: number,
  onChecked: (index: number, segment: ChainSegment) => void,
  onEvents?: (count: number) => void | Promise<void>,
): Promise<void> => {
  const lastPosition = await executor.events.lastPosition();
  for (;;) {
    const index = takeUnlessFew(taken, segments, 0);
    const range = index === undefined ? undefined : segmentRange(index, segments, lastPosition);
    if (index === undefined || !range) return;
    onChecked(index, await checkSegment(executor, range[0], range[1], onEvents, true));
  }
};

/**
 * The share of the segments its fold has still to take that the fold's thread leaves untaken for
 * the other threads to check: it folds them, snapshots and writes besides its checks, so the threads
 * finish about together (measured at 1,000,000 events: 0.5 left the fold's thread the last, 1 the worker).
 */
const LEAVE_SHARE = 0.75;

/**
 * The events of every segment as a fold takes them, in position order, `chunkSize` at a time:
 * each segment's from `checked`, where the threads checking the chain put them (`arrival` resolves
 * when another thread's next segment comes in). While the next segment is not there, the caller's
 * thread takes a segment no thread has taken and checks it on its own connection, unless no more than
 * `leaveShare` of the segments its fold has still to take are untaken (then it waits). Fails at a
 * segment whose check stopped at a break (the verdict names it: the fold cannot go past it).
 */
export async function* foldEventsInOrder(
  executor: Pick<SqlExecutor, 'events'>,
  {
    taken,
    segments,
    checked,
    arrival,
    leaveShare = LEAVE_SHARE,
  }: { taken: Int32Array; segments: number; checked: Map<number, ChainSegment>; arrival: () => Promise<void>; leaveShare?: number },
  { chunkSize, onEvents }: FoldEventsOptions,
): AsyncIterable<LogChunk> {
  const lastPosition = await executor.events.lastPosition();
  for (let next = 0; segmentRange(next, segments, lastPosition); ) {
    const segment = checked.get(next);
    if (!segment) {
      const index = takeUnlessFew(taken, segments, Math.ceil((segments - next) * leaveShare));
      const range = index === undefined ? undefined : segmentRange(index, segments, lastPosition);
      if (index === undefined || !range) await arrival();
      else {
        checked.set(index, await checkSegment(executor, range[0], range[1], onEvents, true));
        await yieldToEventLoop(); // the other threads' segments come in
      }
      continue;
    }
    if (segment.stopped || !segment.fold) throw new Error('the hash chain check stopped at a break');
    const { fold } = segment;
    segment.fold = undefined; // the verdict needs the rest only
    for (let from = 0; from < fold.count; from += chunkSize) {
      const to = Math.min(from + chunkSize, fold.count);
      yield { events: foldEventsOf(fold, from, to), read: to - from };
    }
    next += 1;
  }
}

/** The segments checked, by number, joined (joinChainSegments); a segment missing (a thread's read failed) gives no verdict. */
export const joinSegmentsTaken = (
  checked: ReadonlyMap<number, ChainSegment>,
  segments: number,
  lastPosition: number,
  streams: readonly StreamSummary[],
): ChainBreak | undefined => {
  const inOrder = [...checked].sort(([a], [b]) => a - b);
  const complete = inOrder.every(([index], at) => index === at) && !segmentRange(inOrder.length, segments, lastPosition);
  if (!complete) throw new Error('the hash chain check left a segment of the log unchecked');
  return joinChainSegments(
    inOrder.map(([, segment]) => segment),
    streams,
  );
};
