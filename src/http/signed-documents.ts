import { signatureRequired } from '../domain/errors.js';
import { signatureVerdict, verdictDetail, type SignatureVerdict } from '../domain/profile-signature.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import type { ProfileState } from '../events/registry-state.js';
import { BYTES_TEXT, objectJsonIn, STRING_TEXT } from '../domain/json-splicing.js';

export const verdictOf = (keys: SigningKeys | undefined, registry: string, profile: ProfileState | undefined): SignatureVerdict =>
  profile ? signatureVerdict(keys, registry, profile) : 'unsigned';

/** 403 unless the profile carries a valid signature of its current version (when the request asks for it). */
export const enforceSigned = (
  required: boolean,
  registry: string,
  slug: string,
  profile: ProfileState | undefined,
  verdict: SignatureVerdict,
) => {
  if (!required || verdict === 'valid') return;
  // a layer the caller may not read answers as a missing profile (see auth/scope.ts)
  throw signatureRequired(registry, slug, verdictDetail(registry, slug, verdict, profile?.signature?.version));
};

/**
 * A document of a published profile gets `signature_valid` after its `signature` (the stored bytes
 * end with the signature object). A profile never published has neither field.
 */
export const withSignatureValid = <T extends string | Buffer>(json: T, profile: ProfileState | undefined, verdict: SignatureVerdict): T => {
  if (!profile?.signature) return json;
  const valid = String(verdict === 'valid');
  if (typeof json === 'string') return objectJsonIn(STRING_TEXT, [{ spread: json }, ['signature_valid', valid]]) as T;
  return objectJsonIn(BYTES_TEXT, [{ spread: json as Buffer }, ['signature_valid', BYTES_TEXT.text(valid)]]) as T;
};

/** Judges, enforces `?require_signed` (`required`: as the route's schema parsed it), and returns the document's bytes with `signature_valid`. */
export const signedDocument = <T extends string | Buffer>(
  required: boolean,
  keys: SigningKeys | undefined,
  registry: string,
  slug: string,
  json: T,
  profile: ProfileState | undefined,
): T => {
  const verdict = verdictOf(keys, registry, profile);
  enforceSigned(required, registry, slug, profile, verdict);
  return withSignatureValid(json, profile, verdict);
};
