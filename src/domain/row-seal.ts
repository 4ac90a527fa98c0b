import { canonicalJson, sha256Hex } from './canonical-json.js';
import { hmacOf, HMAC_ALGORITHM, sameDigest, type SigningKeys } from './signing-keys.js';

/**
 * A seal over a stored row that is not an event (a stored idempotent response, a change-feed row),
 * so that an edit of the row shows. With signing keys it is an HMAC (`hmac-sha256:<key id>:<hex>`),
 * which nobody without the key can recompute; without them a plain digest (`sha256:<hex>`), which
 * catches an edit of the row but not someone who also recomputes the digest.
 */
/** Seals a row's value: `sealOf` with the writer's keys. */
export type RowSealer = (value: unknown) => string;

export const sealOf = (keys: SigningKeys | undefined, value: unknown): string =>
  keys
    ? `${HMAC_ALGORITHM}:${keys.signing.id}:${hmacOf(keys.signing.secret, value)}`
    : `sha256:${sha256Hex(canonicalJson(value))}`;

/** `unkeyed`: a plain SHA-256 seal where keys are given, which anyone who can write the database can recompute. */
export type SealCheck = 'ok' | 'mismatch' | 'missing' | 'unknown_key' | 'unkeyed';

/**
 * Whether `seal` seals `value`. With keys only an HMAC of a listed key holds: a SHA-256 seal is
 * refused (`unkeyed`) whether it matches or not, since whoever forges a row can recompute one.
 */
export const checkSeal = (keys: SigningKeys | undefined, seal: string | null | undefined, value: unknown): SealCheck => {
  if (!seal) return 'missing';
  if (seal.startsWith('sha256:')) {
    if (keys) return 'unkeyed';
    return sameDigest(seal, `sha256:${sha256Hex(canonicalJson(value))}`) ? 'ok' : 'mismatch';
  }
  const match = /^hmac-sha256:(.+):([0-9a-f]{64})$/.exec(seal);
  if (!match) return 'mismatch';
  const key = keys?.byId.get(match[1]);
  if (!key) return 'unknown_key';
  return sameDigest(match[2], hmacOf(key.secret, value)) ? 'ok' : 'mismatch';
};

/** What is wrong with a seal that did not hold, in words (after "its seal ..."). */
export const sealProblem = (check: SealCheck): string =>
  check === 'unknown_key'
    ? 'its seal names a key the signing keys file does not list'
    : check === 'unkeyed'
      ? 'its seal is a plain SHA-256 digest, not an HMAC of a listed key (written without keys, or forged)'
      : `its seal does not match (${check})`;
