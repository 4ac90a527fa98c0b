import { eventDataJson } from '../domain/content-json.js';
import { eventHash, type HashedFields } from './event-hash.js';
import type { StreamHead } from './event-store.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import { StreamVersionConflict } from './stream-version-conflict.js';

/** One event ready to be written: the bytes that are stored and hashed, its place, and where it chains on. */
export interface ChainedEvent extends HashedFields {
  event: DomainEvent;
  position: number;
  occurred_at_ms: number;
  prev_hash: string;
  hash: string;
}

/**
 * The one place events are versioned and hash-chained, for every EventStore: checks the expected
 * version against the stream's head (StreamVersionConflict otherwise), then numbers the events
 * from the head on and chains each one's hash to the previous. `firstPosition` is the global
 * position the first event will hold (the store hands positions out without gaps, under its write
 * lock): the hash binds it (format 2, see eventHash).
 */
export const chainEvents = (
  streamId: string,
  head: StreamHead,
  expectedVersion: number,
  events: readonly DomainEvent[],
  firstPosition: number,
): ChainedEvent[] => {
  if (head.version !== expectedVersion) throw new StreamVersionConflict(streamId, expectedVersion, head.version);
  let prevHash = head.hash;
  return events.map((event, index) => {
    const fields = {
      stream_id: streamId,
      stream_version: head.version + index + 1,
      type: event.type,
      schema_version: event.schema_version,
      data_json: eventDataJson(event.data),
      metadata_json: JSON.stringify(event.metadata),
    };
    const position = firstPosition + index;
    const hash = eventHash(prevHash, fields, position);
    const chained = { event, ...fields, position, occurred_at_ms: event.metadata.occurred_at_ms, prev_hash: prevHash, hash };
    prevHash = chained.hash;
    return chained;
  });
};

/** The event as the store returns it. */
export const storedEventOf = (chained: ChainedEvent): StoredEvent =>
  ({
    ...chained.event,
    position: chained.position,
    stream_id: chained.stream_id,
    stream_version: chained.stream_version,
    prev_hash: chained.prev_hash,
    hash: chained.hash,
  }) as StoredEvent;
