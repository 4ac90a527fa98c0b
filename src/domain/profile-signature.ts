import type { ProfileContent } from './profile.js';
import { hmacOf, HMAC_ALGORITHM, sameDigest, type SigningKey, type SigningKeys } from './signing-keys.js';

/** A profile version vouched for by a key holder (`POST .../publish`). */
export interface ProfileSignature {
  algorithm: string;
  key_id: string;
  /** The profile version it signs. */
  version: number;
  /** RFC 3339 time of the publish. */
  signed_at: string;
  signed_by: string;
  /** Hex HMAC-SHA256, see `signedPayload`. */
  value: string;
}

/**
 * What the HMAC covers: the RFC 8785 canonical JSON of the version's content together with the
 * registry and every field of the signature but its value, so that neither the content nor the
 * signer, time, version or key id can be changed without the value failing.
 */
const signedPayload = (registry: string, content: ProfileContent, signature: Omit<ProfileSignature, 'value'>) => ({
  algorithm: signature.algorithm,
  key_id: signature.key_id,
  version: signature.version,
  signed_at: signature.signed_at,
  signed_by: signature.signed_by,
  registry,
  profile: content.slug,
  content,
});

export const signProfile = (
  key: SigningKey,
  registry: string,
  content: ProfileContent,
  fields: { version: number; signed_at: string; signed_by: string },
): ProfileSignature => {
  const unsigned = { algorithm: HMAC_ALGORITHM, key_id: key.id, ...fields };
  return { ...unsigned, value: hmacOf(key.secret, signedPayload(registry, content, unsigned)) };
};

/** Why a profile is or is not vouched for. `stale`: signed, but changed since. */
export type SignatureVerdict = 'valid' | 'unsigned' | 'stale' | 'invalid' | 'unknown_key' | 'no_keys';

export const signatureVerdict = (
  keys: SigningKeys | undefined,
  registry: string,
  profile: { content: ProfileContent; version: number; signature?: ProfileSignature },
): SignatureVerdict => {
  const { signature } = profile;
  if (!signature) return 'unsigned';
  if (signature.version !== profile.version) return 'stale';
  if (!keys) return 'no_keys';
  const key = keys.byId.get(signature.key_id);
  if (!key) return 'unknown_key';
  if (signature.algorithm !== HMAC_ALGORITHM) return 'invalid';
  const { value, ...unsigned } = signature;
  return sameDigest(value, hmacOf(key.secret, signedPayload(registry, profile.content, unsigned))) ? 'valid' : 'invalid';
};

/** The 403 detail of `?require_signed=true` for a verdict other than `valid`. */
export const verdictDetail = (registry: string, slug: string, verdict: SignatureVerdict, signedVersion?: number): string => {
  const name = `profile "${registry}/${slug}"`;
  switch (verdict) {
    case 'unsigned':
      return `${name} is not signed (publish it first)`;
    case 'stale':
      return `${name} changed since it was signed at version ${signedVersion} (publish it again)`;
    case 'no_keys':
      return `${name} is signed, but this server has no --signing-keys-file to check it`;
    case 'unknown_key':
      return `${name} is signed with a key this server does not know`;
    case 'invalid':
      return `${name} has an invalid signature`;
    case 'valid':
      return `${name} is signed`;
  }
};
