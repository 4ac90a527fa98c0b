import { effectiveFingerprint } from '../domain/effective-runtime.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import type { ProfileLookup } from '../domain/stack-merge.js';
import { lookupInStates } from '../events/profile-lookup.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES, type ProjectionTables } from './projection-schema.js';
import {
  documentEtag,
  profileDocumentJson,
  registryHeaderJson,
  registryMetadataJson,
  registrySummaryJson,
  signatureJsonOf,
  storedProfileJson,
} from './registry-serialization.js';

/** The fingerprint of a profile's effective runtime, under the store's key (which also digests its ETag). */
export interface FingerprintOf {
  (registry: RegistryState, profile: ProfileState): string;
  readonly key: FingerprintKey;
}

/** The fingerprint of the effective runtime, its stack resolved through `lookup` (across registries). */
export const stackFingerprintOf = (key: FingerprintKey, lookup: ProfileLookup): FingerprintOf =>
  Object.assign((registry: RegistryState, profile: ProfileState) => effectiveFingerprint(key, registry.slug, profile.content, lookup), { key });

/** For callers that hold one registry only: stacks resolved within it. */
export const withinRegistryFingerprint = (key: FingerprintKey, state: RegistryState): FingerprintOf =>
  stackFingerprintOf(key, lookupInStates(new Map([[state.slug, state]])));

export interface WrittenDocument {
  json: string;
  etag: string;
  version: number;
  fingerprint: string;
  registry: string;
  /** The profile as written (its signature's validity is judged where the keys are). */
  profile: ProfileState;
}

const writeStackRefs = async (tx: SqlExecutor, tables: ProjectionTables, registry: string, profile: ProfileState | undefined, slug: string) => {
  await tx.write(`DELETE FROM ${tables.stackRefs} WHERE registry = $1 AND profile = $2`, [registry, slug]);
  for (const ref of profile?.content.stack ?? []) {
    await tx.write(
      `INSERT INTO ${tables.stackRefs} (registry, profile, ref_registry, ref_profile) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [registry, slug, ref.registry_slug ?? registry, ref.profile_slug],
    );
  }
};

const upsertTombstone = async (tx: SqlExecutor, tables: ProjectionTables, registry: string, slug: string, version: number) => {
  await tx.write(
    `INSERT INTO ${tables.tombstones} (registry, slug, version) VALUES ($1, $2, $3)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version`,
    [registry, slug, version],
  );
};

const isDefaultOf = (state: RegistryState, profile: ProfileState): boolean => state.default_profile_slug === profile.content.slug;

/** The document a profile's row holds (what every projection store writes). */
export const documentOf = (state: RegistryState, profile: ProfileState, fingerprintOf: FingerprintOf): WrittenDocument => {
  const fingerprint = fingerprintOf(state, profile);
  const json = profileDocumentJson(state.slug, profile, isDefaultOf(state, profile), fingerprint);
  return { json, etag: documentEtag(fingerprintOf.key, profile.version, json), version: profile.version, fingerprint, registry: state.slug, profile };
};

const upsertDocument = async (
  tx: SqlExecutor,
  tables: ProjectionTables,
  state: RegistryState,
  profile: ProfileState,
  fingerprintOf: FingerprintOf,
): Promise<WrittenDocument> => {
  const document = documentOf(state, profile, fingerprintOf);
  await tx.write(
    `INSERT INTO ${tables.documents} (registry, slug, version, etag, is_default, fingerprint, stored_json, signature_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version, etag = excluded.etag,
     is_default = excluded.is_default, fingerprint = excluded.fingerprint, stored_json = excluded.stored_json,
     signature_json = excluded.signature_json`,
    [
      state.slug,
      profile.content.slug,
      profile.version,
      document.etag,
      isDefaultOf(state, profile) ? 1 : 0,
      document.fingerprint,
      storedProfileJson(profile),
      signatureJsonOf(profile),
    ],
  );
  return document;
};

/**
 * Rewrites the document row of each named profile (or its tombstone when it is gone) and returns
 * the documents written, by slug.
 */
export const writeProfileRows = async (
  tx: SqlExecutor,
  state: RegistryState,
  slugs: Iterable<string>,
  fingerprintOf: FingerprintOf,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<Map<string, WrittenDocument>> => {
  const written = new Map<string, WrittenDocument>();
  if (!state.live) {
    await tx.write(`DELETE FROM ${tables.documents} WHERE registry = $1`, [state.slug]);
    await tx.write(`DELETE FROM ${tables.stackRefs} WHERE registry = $1`, [state.slug]);
  }
  for (const slug of slugs) {
    const profile = state.live ? state.profiles.get(slug) : undefined;
    await writeStackRefs(tx, tables, state.slug, profile, slug);
    if (profile) {
      written.set(slug, await upsertDocument(tx, tables, state, profile, fingerprintOf));
      await tx.write(`DELETE FROM ${tables.tombstones} WHERE registry = $1 AND slug = $2`, [state.slug, slug]);
      continue;
    }
    await tx.write(`DELETE FROM ${tables.documents} WHERE registry = $1 AND slug = $2`, [state.slug, slug]);
    const tombstone = state.tombstones.get(slug);
    if (tombstone !== undefined) await upsertTombstone(tx, tables, state.slug, slug, tombstone);
  }
  return written;
};

/**
 * Writes the registry's header row, which with its profile rows makes its `profile_registries`
 * row (or removes it once the registry is deleted). Small: it holds no profile.
 */
export const writeRegistryRow = async (
  tx: SqlExecutor,
  state: RegistryState,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> => {
  if (!state.live) {
    await tx.write(`DELETE FROM ${tables.headers} WHERE slug = $1`, [state.slug]);
    return;
  }
  await tx.write(
    `INSERT INTO ${tables.headers} (slug, header_json, metadata_json, updated_at_ms, version, summary_json)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (slug) DO UPDATE SET header_json = excluded.header_json, metadata_json = excluded.metadata_json,
     updated_at_ms = excluded.updated_at_ms, version = excluded.version, summary_json = excluded.summary_json`,
    [
      state.slug,
      registryHeaderJson(state),
      registryMetadataJson(state),
      state.stamp.updated_at_ms,
      state.version,
      registrySummaryJson(state),
    ],
  );
};

/** Every row of one registry, from its state alone: what a rebuild writes. */
export const writeAllRows = async (
  tx: SqlExecutor,
  state: RegistryState,
  fingerprintOf: FingerprintOf,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> => {
  const slugs = new Set([...state.profiles.keys(), ...state.tombstones.keys()]);
  await writeProfileRows(tx, state, slugs, fingerprintOf, tables);
  await writeRegistryRow(tx, state, tables);
};
