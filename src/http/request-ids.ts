import { randomFillSync } from 'node:crypto';
import { urlAlphabet } from 'nanoid';

const LENGTH = 12;
const IDS_A_FILL = 256;
const ALPHABET_CODES = Buffer.from(urlAlphabet, 'latin1');
const pool = Buffer.allocUnsafe(LENGTH * IDS_A_FILL);
/** The characters of the next ids, 12 each: one id is a slice of this string (a copy of 12 bytes), not a Buffer decoded. */
let ids = '';
let offset = 0;

/**
 * A new request id: `nanoid(12)`'s form and randomness (12 of its 64 URL-safe characters, each
 * from 6 bits of a random byte), taken from a pool turned into those characters once per 256 ids.
 */
export const newRequestId = (): string => {
  if (offset === ids.length) {
    randomFillSync(pool);
    for (let i = 0; i < pool.length; i += 1) pool[i] = ALPHABET_CODES[(pool[i] as number) & 63] as number;
    ids = pool.toString('latin1');
    offset = 0;
  }
  offset += LENGTH;
  return ids.slice(offset - LENGTH, offset);
};
