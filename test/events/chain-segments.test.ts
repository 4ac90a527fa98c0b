import { describe, expect, it } from 'vitest';
import { chainEvents } from '../../src/events/chain-events.js';
import { checkSegment, joinChainSegments, type ChainSegment } from '../../src/events/chain-segments.js';
import { eventHash, GENESIS_HASH } from '../../src/events/event-hash.js';
import type { EventRecord, StreamSummary } from '../../src/events/event-store.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import { startChainCheck, type ChainBreak } from '../../src/events/verify-hash-chain.js';

const renamed = (at: number): DomainEvent => ({
  type: 'registry.updated',
  schema_version: CURRENT_SCHEMA_VERSION['registry.updated'],
  data: { display_name: `name ${at}` },
  metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: at },
});

/** 40 events over three streams, interleaved, as a store holds them: records in position order and the stream heads. */
const honestLog = (): { records: EventRecord[]; streams: StreamSummary[] } => {
  const heads = new Map<string, { version: number; hash: string }>();
  const records: EventRecord[] = [];
  for (let position = 1; position <= 40; position += 1) {
    const streamId = ['alpha', 'beta', 'gamma'][position % 7 === 0 ? 2 : position % 2];
    const head = heads.get(streamId) ?? { version: 0, hash: GENESIS_HASH };
    const [chained] = chainEvents(streamId, head, head.version, [renamed(position)], position);
    const { event: _event, occurred_at_ms: _at, ...record } = chained;
    records.push(record);
    heads.set(streamId, { version: chained.stream_version, hash: chained.hash });
  }
  const streams = [...heads].map(([streamId, head]) => ({ streamId, ...head, lastPosition: 0 }));
  return { records, streams };
};

const inOrder = (records: readonly EventRecord[], streams: readonly StreamSummary[]): ChainBreak | undefined => {
  const check = startChainCheck();
  for (const record of records) {
    const broken = check.next(record);
    if (broken) return broken;
  }
  return check.end(streams);
};

/** The log checked in segments cut after each of `cuts` (positions), each alone, then joined. */
const inSegments = async (records: readonly EventRecord[], streams: readonly StreamSummary[], cuts: number[]) => {
  const events = {
    readRecords: async ({ after = 0, limit = 1000 } = {}) => records.filter((record) => record.position > after).slice(0, limit),
  } as unknown as Parameters<typeof checkSegment>[0]['events'];
  const last = Math.max(0, ...records.map((record) => record.position));
  const bounds = [0, ...cuts.filter((cut) => cut < last), last];
  const segments: ChainSegment[] = [];
  for (let index = 1; index < bounds.length; index += 1) segments.push(await checkSegment({ events }, bounds[index - 1], bounds[index]));
  return joinChainSegments(segments, streams);
};

const tamperings: [string, (log: { records: EventRecord[]; streams: StreamSummary[] }) => void][] = [
  ['none', () => undefined],
  ['the data of an event in the middle', ({ records }) => void (records[19] = { ...records[19], data_json: '{"display_name":"forged"}' })],
  ['the data of the last event', ({ records }) => void (records[39] = { ...records[39], data_json: '{}' })],
  ['the data of the first event', ({ records }) => void (records[0] = { ...records[0], metadata_json: '{}' })],
  ['an event deleted', ({ records }) => void records.splice(22, 1)],
  ['the first event of a stream deleted', ({ records }) => void records.splice(6, 1)],
  ['the last event deleted', ({ records }) => void records.pop()],
  ['an event rehashed in format 1', ({ records }) => {
    const record = records[25];
    records[25] = { ...record, hash: eventHash(record.prev_hash, record) };
  }],
  ['a prev_hash replaced', ({ records }) => void (records[30] = { ...records[30], prev_hash: records[10].hash })],
  ['two events swapped', ({ records }) => {
    const [a, b] = [records[11], records[13]];
    records[11] = { ...b, position: a.position };
    records[13] = { ...a, position: b.position };
  }],
  ['a stream head moved back', ({ streams }) => void (streams[1] = { ...streams[1], version: streams[1].version - 1 })],
  ['a stream head missing', ({ streams }) => void streams.splice(2, 1)],
];

describe('the hash chain checked in segments and joined', () => {
  it.each(tamperings)('names the break the check in order names, wherever the log is cut (%s)', async (_name, tamper) => {
    const log = honestLog();
    tamper(log);
    const expected = inOrder(log.records, log.streams);
    for (const cuts of [[], [1], [13], [20], [39], [5, 6, 7], [12, 13, 22, 23, 30], Array.from({ length: 40 }, (_, i) => i + 1)]) {
      expect(await inSegments(log.records, log.streams, cuts), `cut after ${cuts.join(', ')}`).toEqual(expected);
    }
  });

  it('finds a forged event in a later segment as in an earlier one', async () => {
    const log = honestLog();
    log.records[29] = { ...log.records[29], data_json: '{"display_name":"forged"}' };
    const broken = await inSegments(log.records, log.streams, [10, 20, 30]);
    expect(broken).toMatchObject({ position: 30, reason: 'its stored bytes do not match its hash' });
  });
});
