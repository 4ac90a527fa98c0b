import type { RegistryContent } from '../domain/registry-bundle.js';
import { parseProjectionJson } from './damaged-row.js';
import { documentDigest, type FingerprintKey } from '../domain/fingerprint.js';
import { objectJsonOfValues } from '../domain/content-json.js';
import { objectJson, objectJsonIn, STRING_TEXT, type TextOps } from '../domain/json-splicing.js';
import type { ProfileContent } from '../domain/profile.js';
import type { ProfileSignature } from '../domain/profile-signature.js';
import type { SchemaPolicies } from '../domain/schema-documents.js';
import { applySchemaPolicies, type ChangeStamp, type ProfileState, type RegistryState, type Writable } from '../events/registry-state.js';

/**
 * How registries and profiles are written as JSON (API.md section 1). Every function here is a
 * pure function of the state, so a rebuild from the events gives the same bytes. A profile's
 * stored form is serialized once per version and reused by every registry row that holds it.
 */

const storedJsonCache = new WeakMap<ProfileState, string>();

/** The stored profile's fields in order (an undefined one is left out); the content's parts keep their cached JSON. */
export const storedProfileEntries = (profile: ProfileState): [string, unknown][] => {
  const { content, stamp } = profile;
  const metadata: Record<string, unknown> = {
    source: stamp.source,
    version: profile.version,
    created_at_ms: stamp.created_at_ms,
    updated_at_ms: stamp.updated_at_ms,
    created_by: stamp.created_by,
    updated_by: stamp.updated_by,
  };
  if (content.tags.length > 0) metadata.tags = content.tags;
  return [
    ['slug', content.slug],
    ['display_name', content.display_name],
    ['description', content.description],
    ['runtime', content.runtime],
    ['policy', content.policy],
    ['metadata', metadata],
    ['extensions', Object.keys(content.extensions).length > 0 ? content.extensions : undefined],
    ['stack', content.stack.length > 0 ? content.stack : undefined],
  ];
};

export const storedProfileJson = (profile: ProfileState): string => {
  let json = storedJsonCache.get(profile);
  if (json === undefined) {
    json = objectJsonOfValues(storedProfileEntries(profile));
    storedJsonCache.set(profile, json);
  }
  return json;
};

/**
 * The profile document every read returns: registry, the stored profile (its JSON), is_default,
 * fingerprint, and the profile's last signature once it was published (`signature_valid` is
 * added by whoever knows the keys: see the HTTP layer).
 */
export const documentJsonOf = (
  registrySlug: string,
  storedJson: string,
  isDefault: boolean,
  fingerprint: string,
  signatureJson?: string | null,
): string =>
  objectJson([
    ['registry', JSON.stringify(registrySlug)],
    { spread: storedJson },
    ['is_default', String(isDefault)],
    ['fingerprint', JSON.stringify(fingerprint)],
    ['signature', signatureJson || undefined],
  ]);

/** The stored form of a profile's signature (null when it was never published). */
export const signatureJsonOf = (profile: ProfileState): string | null =>
  profile.signature ? JSON.stringify(profile.signature) : null;

export const profileDocumentJson = (
  registrySlug: string,
  profile: ProfileState,
  isDefault: boolean,
  fingerprint: string,
): string => documentJsonOf(registrySlug, storedProfileJson(profile), isDefault, fingerprint, signatureJsonOf(profile));

/** A profile from its stored row: the stored JSON and the signature column. */
export const profileStateOfRow = (storedJson: string, signatureJson: string | null | undefined): ProfileState => {
  const row = () => 'a profile_documents row';
  const stored = profileStateOf(parseProjectionJson<StoredProfileShape>(storedJson, row));
  const profile: ProfileState = signatureJson ? { ...stored, signature: parseProjectionJson<ProfileSignature>(signatureJson, row) } : stored;
  storedJsonCache.set(profile, storedJson);
  return profile;
};

/** A profile's entry in `GET /api/chat/profiles`, from its stored form (the list is assembled on read). */
export const profileSummaryJson = (registrySlug: string, stored: StoredProfileShape, isDefault: boolean): string =>
  JSON.stringify({
    registry: registrySlug,
    slug: stored.slug,
    display_name: stored.display_name,
    description: stored.description,
    default_prompt: stored.runtime.system_prompt,
    extensions: stored.extensions,
    is_default: isDefault,
    version: stored.metadata.version,
  });

/** A strong validator that is still a version tag: the version, then a keyed digest of the bytes (which hold the secrets). */
export const documentEtag = (key: FingerprintKey, version: number, documentJson: string): string =>
  `"${version}-${documentDigest(key, documentJson)}"`;

const registryMetadata = (state: RegistryState): Record<string, unknown> => ({
  version: state.version,
  created_at_ms: state.stamp.created_at_ms,
  updated_at_ms: state.stamp.updated_at_ms,
  created_by: state.stamp.created_by,
  updated_by: state.stamp.updated_by,
  source: state.stamp.source,
});

/** A registry's own fields (its profiles aside), in the order its stored header keeps them. */
export const registryHeader = (state: RegistryState): Omit<RegistryContent, 'profiles' | 'source_versions'> => {
  const out: Omit<RegistryContent, 'profiles' | 'source_versions'> = { slug: state.slug };
  if (state.display_name !== undefined) out.display_name = state.display_name;
  if (state.description !== undefined) out.description = state.description;
  if (state.default_profile_slug !== undefined) out.default_profile_slug = state.default_profile_slug;
  if (state.unknown_middlewares !== undefined) out.unknown_middlewares = state.unknown_middlewares;
  if (state.unknown_extensions !== undefined) out.unknown_extensions = state.unknown_extensions;
  return out;
};

export const sortedProfileSlugs = (state: RegistryState): string[] => [...state.profiles.keys()].sort();

export const registryHeaderJson = (state: RegistryState): string => JSON.stringify(registryHeader(state));
export const registryMetadataJson = (state: RegistryState): string => JSON.stringify(registryMetadata(state));

/**
 * The layout of `profile_registries.payload_json`, in JavaScript or in the SQL of the view
 * (projection-schema.ts): the header's members, `profiles` (an object of stored profiles in slug
 * order), then `metadata`.
 */
export const registryPayloadIn = <T>(ops: TextOps<T>, headerJson: T, profilesJson: T, metadataJson: T): T =>
  objectJsonIn(ops, [{ spread: headerJson }, ['profiles', profilesJson], ['metadata', metadataJson]]);

/** The whole registry as `profile_registries.payload_json`, profiles in slug order (byte order). */
export const registryPayloadJson = (state: RegistryState): string =>
  registryPayloadIn(
    STRING_TEXT,
    registryHeaderJson(state),
    objectJson(sortedProfileSlugs(state).map((slug) => [slug, storedProfileJson(state.profiles.get(slug) as ProfileState)])),
    registryMetadataJson(state),
  );

export const registrySummaryJson = (state: RegistryState): string =>
  JSON.stringify({
    ...registryHeader(state),
    profile_count: state.profiles.size,
    version: state.version,
    updated_at_ms: state.stamp.updated_at_ms,
  });

export interface StoredProfileShape {
  slug: string;
  display_name?: string;
  description?: string;
  runtime: ProfileContent['runtime'];
  policy: ProfileContent['policy'];
  metadata: ChangeStamp & { version: number; tags?: string[] };
  extensions?: Record<string, unknown>;
  stack?: ProfileContent['stack'];
}

interface RegistryHeaderShape extends SchemaPolicies {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
}

const stampOf = (metadata: ChangeStamp): ChangeStamp => ({
  created_at_ms: metadata.created_at_ms,
  updated_at_ms: metadata.updated_at_ms,
  created_by: metadata.created_by,
  updated_by: metadata.updated_by,
  source: metadata.source,
});

export const profileStateOf = (stored: StoredProfileShape): ProfileState => {
  const content: ProfileContent = {
    slug: stored.slug,
    runtime: stored.runtime,
    policy: stored.policy,
    extensions: stored.extensions ?? {},
    stack: stored.stack ?? [],
    tags: stored.metadata.tags ?? [],
  };
  if (stored.display_name !== undefined) content.display_name = stored.display_name;
  if (stored.description !== undefined) content.description = stored.description;
  return { content, version: stored.metadata.version, stamp: stampOf(stored.metadata) };
};

/**
 * The state of a live registry read back from its projection rows (no replay of history): the
 * header row, and each profile from its stored JSON's exact bytes.
 */
export const registryStateFromRows = (
  headerJson: string,
  metadataJson: string,
  storedProfiles: readonly { stored_json: string; signature_json?: string | null }[],
  tombstones: Map<string, number>,
): RegistryState => {
  const header = JSON.parse(headerJson) as RegistryHeaderShape;
  const metadata = JSON.parse(metadataJson) as ChangeStamp & { version: number };
  const profiles = new Map<string, ProfileState>();
  for (const row of storedProfiles) {
    const profile = profileStateOfRow(row.stored_json, row.signature_json);
    profiles.set(profile.content.slug, profile);
  }
  const state: Writable<RegistryState> = {
    slug: header.slug,
    live: true,
    version: metadata.version,
    stamp: stampOf(metadata),
    profiles,
    tombstones,
  };
  if (header.display_name !== undefined) state.display_name = header.display_name;
  if (header.description !== undefined) state.description = header.description;
  if (header.default_profile_slug !== undefined) state.default_profile_slug = header.default_profile_slug;
  applySchemaPolicies(state, header);
  return state;
};
