import { describe, expect, it } from 'vitest';
import { chainEvents } from '../../src/events/chain-events.js';
import { checkSegment, foldEventsInOrder, segmentRange, type ChainSegment } from '../../src/events/chain-segments.js';
import { GENESIS_HASH } from '../../src/events/event-hash.js';
import { REPLACED_CONTENT, UNREAD_METADATA, type EventRecord } from '../../src/events/event-store.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type StoredEvent } from '../../src/events/event-types.js';

const metadata = (at: number) => ({ actor: 'a', source: 's', request_id: `r${at}`, occurred_at_ms: at });

/** An event of each kind the fold takes differently: registry events whole, content events by their head. */
const eventAt = (at: number): DomainEvent => {
  const profile = `p${at % 3}`;
  const content = { slug: profile, description: `edit ${at}` } as never;
  if (at % 5 === 0) return { type: 'registry.updated', schema_version: CURRENT_SCHEMA_VERSION['registry.updated'], data: { display_name: `name ${at}` }, metadata: metadata(at) };
  if (at % 7 === 0) return { type: 'profile.created', schema_version: CURRENT_SCHEMA_VERSION['profile.created'], data: { profile, version: at, content }, metadata: metadata(at) };
  // laid out otherwise than the writers do: its head is found by parsing it
  if (at % 11 === 0) return { type: 'profile.updated', schema_version: CURRENT_SCHEMA_VERSION['profile.updated'], data: { version: at, profile, content } as never, metadata: metadata(at) };
  return { type: 'profile.updated', schema_version: CURRENT_SCHEMA_VERSION['profile.updated'], data: { profile, version: at, content }, metadata: metadata(at) };
};

const log = (): EventRecord[] => {
  const heads = new Map<string, { version: number; hash: string }>();
  const records: EventRecord[] = [];
  for (let position = 1; position <= 60; position += 1) {
    const streamId = position % 2 === 0 ? 'alpha' : 'beta';
    const head = heads.get(streamId) ?? { version: 0, hash: GENESIS_HASH };
    const [chained] = chainEvents(streamId, head, head.version, [eventAt(position)], position);
    const { event: _event, occurred_at_ms: _at, ...record } = chained;
    records.push(record);
    heads.set(streamId, { version: chained.stream_version, hash: chained.hash });
  }
  return records;
};

/** What the fold is given of each event: content events by their head, a current update without its metadata, no hashes. */
const asFolded = (record: EventRecord) => {
  const data = JSON.parse(record.data_json);
  const content = record.type === 'profile.created' || record.type === 'profile.updated';
  return {
    position: record.position,
    stream_id: record.stream_id,
    stream_version: record.stream_version,
    type: record.type,
    schema_version: record.schema_version,
    data: content ? { profile: data.profile, version: data.version, content: REPLACED_CONTENT } : data,
    metadata: record.type === 'profile.updated' ? UNREAD_METADATA : JSON.parse(record.metadata_json),
    prev_hash: '',
    hash: '',
  };
};

const SEGMENTS = 6;

/**
 * The fold's events with segments 0 and 1 taken by another thread (1 checked already, 0 coming
 * in only once the caller waits), the rest taken and checked by the caller (it leaves none), out of order.
 */
const foldedInOrder = async (records: readonly EventRecord[]) => {
  const executor = {
    events: {
      readRecords: async ({ after = 0, limit = 1000 } = {}) => records.filter((record) => record.position > after).slice(0, limit),
      lastPosition: async () => 60,
    },
  } as unknown as Parameters<typeof checkSegment>[0];
  // what passes between threads is a structured clone
  const elsewhere = async (index: number): Promise<ChainSegment> =>
    structuredClone(await checkSegment(executor, ...(segmentRange(index, SEGMENTS, 60) as [number, number]), undefined, true));
  const taken = new Int32Array([2]);
  const checked = new Map([[1, await elsewhere(1)]]);
  const waits: number[] = [];
  const arrival = async () => {
    waits.push(Atomics.load(taken, 0));
    checked.set(0, await elsewhere(0));
  };
  const events: StoredEvent[] = [];
  const chunks: number[] = [];
  try {
    for await (const chunk of foldEventsInOrder(executor, { taken, segments: SEGMENTS, checked, arrival, leaveShare: 0 }, { chunkSize: 4 })) {
      events.push(...(chunk.events as StoredEvent[]));
      chunks.push(chunk.read);
    }
  } catch (error) {
    return { events, chunks, waits, error };
  }
  return { events, chunks, waits, error: undefined };
};

describe('the events of the log handed to the fold by the threads checking the chain', () => {
  it('hands on every event in position order, whichever thread checked its segment, as the fold takes it', async () => {
    const records = log();
    const folded = await foldedInOrder(records);
    expect(folded.error).toBeUndefined();
    // the caller checked segments 2 to 5 before it waited for segment 0
    expect(folded.waits).toEqual([6]);
    expect(folded.events).toEqual(records.map(asFolded));
    expect(folded.chunks.every((read) => read <= 4)).toBe(true);
  });

  it('stops at the segment where the chain check stopped at a break', async () => {
    const records = log();
    records[25] = { ...records[25], data_json: records[25].data_json.replace('edit', 'forged') };
    const folded = await foldedInOrder(records);
    expect(folded.error).toEqual(new Error('the hash chain check stopped at a break'));
    // segments 0 and 1 (positions 1 to 20) were folded, none of segment 2 (21 to 30)
    expect(folded.events.map((event) => event.position)).toEqual(records.slice(0, 20).map((record) => record.position));
  });

  it('leaves to the other thread a share of the segments the fold has still to take', async () => {
    const records = log();
    const executor = {
      events: {
        readRecords: async ({ after = 0, limit = 1000 } = {}) => records.filter((record) => record.position > after).slice(0, limit),
        lastPosition: async () => 60,
      },
    } as unknown as Parameters<typeof checkSegment>[0];
    const takenBy = async (leaveShare: number) => {
      // the other thread took segment 0; each time the caller waits, it hands that one in and takes the next
      const taken = new Int32Array([1]);
      const checked = new Map<number, ChainSegment>();
      const elsewhere: number[] = [];
      let pending: number | undefined = 0;
      const arrival = async () => {
        if (pending === undefined) throw new Error('nothing more comes');
        const range = segmentRange(pending, SEGMENTS, 60) as [number, number];
        checked.set(pending, structuredClone(await checkSegment(executor, ...range, undefined, true)));
        elsewhere.push(pending);
        const index = Atomics.add(taken, 0, 1);
        pending = segmentRange(index, SEGMENTS, 60) ? index : undefined;
      };
      const events: StoredEvent[] = [];
      for await (const chunk of foldEventsInOrder(executor, { taken, segments: SEGMENTS, checked, arrival, leaveShare }, { chunkSize: 4 })) {
        events.push(...(chunk.events as StoredEvent[]));
      }
      expect(events).toEqual(records.map(asFolded));
      return [...checked.keys()].filter((index) => !elsewhere.includes(index)).sort();
    };
    // at the start, half of the 6 segments left: the caller takes 1 and 2, then 3 of 6, 2 of 3, 1 of 1 are left
    expect(await takenBy(0.5)).toEqual([1, 2]);
    expect(await takenBy(0)).toEqual([1, 2, 3, 4, 5]);
    expect(await takenBy(1)).toEqual([]);
  });
});
