import { eventDataJson } from '../domain/content-json.js';
import { eventHash, type HashedFields } from './event-hash.js';
import type { StreamHead } from './event-store.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import { StreamVersionConflict } from './stream-version-conflict.js';

/** One event ready to be written: the bytes that are stored and hashed, and where it chains on. */
export interface ChainedEvent extends HashedFields {
  event: DomainEvent;
  occurred_at_ms: number;
  prev_hash: string;
  hash: string;
}

/**
 * The one place events are versioned and hash-chained, for every EventStore: checks the expected
 * version against the stream's head (StreamVersionConflict otherwise), then numbers the events
 * from the head on and chains each one's hash to the previous.
 */
export const chainEvents = (
  streamId: string,
  head: StreamHead,
  expectedVersion: number,
  events: readonly DomainEvent[],
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
    const chained = { event, ...fields, occurred_at_ms: event.metadata.occurred_at_ms, prev_hash: prevHash, hash: eventHash(prevHash, fields) };
    prevHash = chained.hash;
    return chained;
  });
};

/** The event as the store returns it once it has its global position. */
export const storedEventOf = (chained: ChainedEvent, position: number): StoredEvent =>
  ({
    ...chained.event,
    position,
    stream_id: chained.stream_id,
    stream_version: chained.stream_version,
    prev_hash: chained.prev_hash,
    hash: chained.hash,
  }) as StoredEvent;
