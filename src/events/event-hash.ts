import { sha256Hex } from '../domain/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data_json: string;
  metadata_json: string;
}

/**
 * The prefix of a hash in format 2, which binds the event's global position as well as its stream
 * version. Hashes without it are format 1 (events written before positions were bound): they
 * still verify, over the same fields without the position.
 */
export const POSITION_BOUND_PREFIX = 'v2:';

/** Whether a stored hash is in format 2 (binds the global position). */
export const bindsPosition = (hash: string): boolean => hash.startsWith(POSITION_BOUND_PREFIX);

/**
 * SHA-256 over the previous hash and the stored bytes of the event: any change to a stored byte
 * shows. Given the event's global position, the hash is in format 2 (`v2:<hex>`) and covers the
 * position too, so an event cannot be moved to another place in the log, and a log that lost
 * positions shows the hole before the next event (see verifyHashChain). Without it, format 1
 * (`<hex>`), as events were hashed before.
 */
export const eventHash = (prevHash: string, event: HashedFields, position?: number): string => {
  const bound = position === undefined ? '' : `${POSITION_BOUND_PREFIX}${position}\n`;
  // one string hashed in one call (sha256Hex): the same bytes as the fields fed one by one
  const text = `${prevHash}\n${bound}${event.stream_id}\n${event.stream_version}\n${event.type}\n${event.schema_version}\n${event.data_json}\n${event.metadata_json}`;
  const digest = sha256Hex(text);
  return position === undefined ? digest : POSITION_BOUND_PREFIX + digest;
};

/** The hash a stored event's bytes give in the format its stored hash is in: equal to it unless something changed. */
export const recomputedHash = (prevHash: string, record: HashedFields & { position: number; hash: string }): string =>
  eventHash(prevHash, record, bindsPosition(record.hash) ? record.position : undefined);
