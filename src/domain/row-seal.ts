import { canonicalJson, sha256Hex } from './canonical-json.js';
import { hmacOf, HMAC_ALGORITHM, sameDigest, type SigningKeys } from './signing-keys.js';

/**
 * A seal over a stored row that is not an event (a stored idempotent response, a change-feed row),
 * so that an edit of the row shows. With signing keys it is an HMAC (`hmac-sha256:<key id>:<hex>`),
 * which nobody without the key can recompute; without them a plain digest (`sha256:<hex>`), which
 * catches an edit of the row but not someone who also recomputes the digest.
 */
export const sealOf = (keys: SigningKeys | undefined, value: unknown): string =>
  keys
    ? `${HMAC_ALGORITHM}:${keys.signing.id}:${hmacOf(keys.signing.secret, value)}`
    : `sha256:${sha256Hex(canonicalJson(value))}`;

export type SealCheck = 'ok' | 'mismatch' | 'missing' | 'unknown_key';

export const checkSeal = (keys: SigningKeys | undefined, seal: string | null | undefined, value: unknown): SealCheck => {
  if (!seal) return 'missing';
  if (seal.startsWith('sha256:')) return sameDigest(seal, `sha256:${sha256Hex(canonicalJson(value))}`) ? 'ok' : 'mismatch';
  const match = /^hmac-sha256:(.+):([0-9a-f]{64})$/.exec(seal);
  if (!match) return 'mismatch';
  const key = keys?.byId.get(match[1]);
  if (!key) return 'unknown_key';
  return sameDigest(match[2], hmacOf(key.secret, value)) ? 'ok' : 'mismatch';
};
