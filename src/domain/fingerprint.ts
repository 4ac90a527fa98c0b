import { createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { Runtime } from './profile.js';
import { replaceSecrets, SECRET_AREAS } from './secrets.js';

/**
 * The store's key for digests that readers see (fingerprints, ETags): random, made with the store
 * and kept in its database, so that every instance on it and every backup of it digest alike, and
 * a reader who sees a digest cannot test a guessed secret against it offline.
 */
export interface FingerprintKey {
  /** Hex HMAC-SHA256 of `text` under the key. */
  digest(text: string): string;
  /** Digests as before stores had keys (plain SHA-256): only to read, unchanged, a database no key was made for yet. */
  readonly unkeyed?: true;
}

export const FINGERPRINT_KEY_BYTES = 32;

export const fingerprintKeyOf = (secret: Uint8Array): FingerprintKey => {
  const key = Buffer.from(secret);
  return { digest: (text) => createHmac('sha256', key).update(text).digest('hex') };
};

export const randomFingerprintKey = (): FingerprintKey => fingerprintKeyOf(randomBytes(FINGERPRINT_KEY_BYTES));

/**
 * What a read-only command uses on a database that no writable open has given a key yet: the
 * digests its rows already hold (plain SHA-256), so `verify` and `history` agree with them. The
 * first writable open makes the key and rewrites every digest (fingerprints change once).
 */
export const UNKEYED_BEFORE_UPGRADE: FingerprintKey = { digest: sha256Hex, unkeyed: true };

/**
 * `sha256:<hex>` of the canonical `{registry_slug, profile_slug, runtime}` (runtime = effective
 * runtime), each secret of the runtime (as the one detector finds them) replaced by its keyed
 * digest: a changed secret changes the fingerprint, and equal runtimes share one, but the
 * fingerprint tells nothing about a secret to whoever lacks the key.
 */
export const runtimeFingerprint = (key: FingerprintKey, registrySlug: string, profileSlug: string, effectiveRuntime: Runtime): string => {
  const digested = key.unkeyed
    ? effectiveRuntime
    : replaceSecrets(effectiveRuntime, SECRET_AREAS.runtime, (_kind, secret) => `hmac-sha256:${key.digest(canonicalJson(secret))}`);
  return `sha256:${sha256Hex(canonicalJson({ registry_slug: registrySlug, profile_slug: profileSlug, runtime: digested }))}`;
};

/** The digest part of a document's ETag: keyed, since the document holds the real secrets. */
export const documentDigest = (key: FingerprintKey, documentJson: string): string => key.digest(documentJson).slice(0, 16);
