import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH } from '../../src/events/event-hash.js';

// the digest as events were hashed before it was taken in one call: each field fed by itself
const fedInParts = (prevHash: string, event: Parameters<typeof eventHash>[1], position?: number): string => {
  const hash = createHash('sha256').update(`${prevHash}\n`);
  if (position !== undefined) hash.update(`v2:${position}\n`);
  for (const field of [event.stream_id, String(event.stream_version), event.type, String(event.schema_version), event.data_json]) hash.update(`${field}\n`);
  const hex = hash.update(event.metadata_json).digest('hex');
  return position === undefined ? hex : `v2:${hex}`;
};

describe('eventHash', () => {
  const event = {
    stream_id: 'team',
    stream_version: 7,
    type: 'profile.updated',
    schema_version: 2,
    // multi-byte UTF-8, a surrogate pair, and a lone surrogate (written as U+FFFD's bytes, as before)
    data_json: '{"profile":"ü-é","version":3,"content":{"note":"日本 😀 \ud800"}}',
    metadata_json: '{"actor":"ä","occurred_at_ms":1}',
  };

  it('gives the digest of the fields fed one by one, in both formats', () => {
    expect(eventHash(GENESIS_HASH, event, 42)).toBe(fedInParts(GENESIS_HASH, event, 42));
    expect(eventHash(GENESIS_HASH, event)).toBe(fedInParts(GENESIS_HASH, event));
    expect(eventHash('v2:abc', { ...event, data_json: '' })).toBe(fedInParts('v2:abc', { ...event, data_json: '' }));
  });

  it('gives the same digests for events larger than the space it lays them out in, and for small ones after them', () => {
    // 3 bytes of UTF-8 a character: past the first 64 KiB of space, and past twice that
    const large = { ...event, data_json: `"${'日'.repeat(30_000)}"`, metadata_json: '😀\ud800'.repeat(20_000) };
    expect(eventHash(GENESIS_HASH, large, 1)).toBe(fedInParts(GENESIS_HASH, large, 1));
    expect(eventHash(GENESIS_HASH, event, 2)).toBe(fedInParts(GENESIS_HASH, event, 2));
    expect(eventHash('v2:abc', { ...event, data_json: 'x', metadata_json: '' })).toBe(fedInParts('v2:abc', { ...event, data_json: 'x', metadata_json: '' }));
  });
});
