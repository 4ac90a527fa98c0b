import { Buffer } from 'node:buffer';
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

/** Bytes of UTF-8 per UTF-16 code unit, at most (a lone surrogate is written as U+FFFD's three). */
const UTF8_MOST = 3;
const NEWLINE = 0x0a;

/**
 * Where eventHash lays out the text it hashes, grown as needed, one per thread. Joined as one
 * string, every event's ~4 KB of text was copied into a new string of the young generation, then
 * encoded: a rebuild of 1,000,000 events made ~4 GB of such strings, and ran 897 scavenges
 * against 615-620 without them (docs/BENCHMARKS.md, round ten).
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * SHA-256 over the previous hash and the stored bytes of the event: any change to a stored byte
 * shows. Given the event's global position, the hash is in format 2 (`v2:<hex>`) and covers the
 * position too, so an event cannot be moved to another place in the log, and a log that lost
 * positions shows the hole before the next event (see verifyHashChain). Without it, format 1
 * (`<hex>`), as events were hashed before.
 */
export const eventHash = (prevHash: string, event: HashedFields, position?: number): string => {
  const bound = position === undefined ? '' : `${POSITION_BOUND_PREFIX}${position}\n`;
  const head = `${prevHash}\n${bound}${event.stream_id}\n${event.stream_version}\n${event.type}\n${event.schema_version}\n`;
  // the text's UTF-8 laid out in one buffer and hashed in one call (sha256Hex): the same bytes as
  // the fields fed one by one, without the ~4 KB string a joined text would be (see `scratch`)
  const most = UTF8_MOST * (head.length + event.data_json.length + event.metadata_json.length + 1);
  if (most > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(most, 2 * scratch.length));
  let length = scratch.write(head, 0);
  length += scratch.write(event.data_json, length);
  scratch[length++] = NEWLINE;
  length += scratch.write(event.metadata_json, length);
  const digest = sha256Hex(scratch.subarray(0, length));
  return position === undefined ? digest : POSITION_BOUND_PREFIX + digest;
};

/** The hash a stored event's bytes give in the format its stored hash is in: equal to it unless something changed. */
export const recomputedHash = (prevHash: string, record: HashedFields & { position: number; hash: string }): string =>
  eventHash(prevHash, record, bindsPosition(record.hash) ? record.position : undefined);
