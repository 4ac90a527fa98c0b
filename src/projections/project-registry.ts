import { runtimeFingerprint } from '../domain/fingerprint.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES, type ProjectionTables } from './projection-schema.js';
import {
  documentEtag,
  profileDocumentJson,
  profileSummaryJson,
  registryHeaderJson,
  registryMetadataJson,
  registrySummaryJson,
  storedProfileJson,
} from './registry-serialization.js';

/** The fingerprint of a profile's effective runtime. */
export type FingerprintOf = (registry: RegistryState, profile: ProfileState) => string;

export const ownRuntimeFingerprint: FingerprintOf = (registry, profile) =>
  runtimeFingerprint(registry.slug, profile.content.slug, profile.content.runtime);

export interface WrittenDocument {
  json: string;
  etag: string;
  version: number;
}

const upsertTombstone = async (tx: SqlExecutor, tables: ProjectionTables, registry: string, slug: string, version: number) => {
  await tx.run(
    `INSERT INTO ${tables.tombstones} (registry, slug, version) VALUES (?, ?, ?)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version`,
    [registry, slug, version],
  );
};

const upsertDocument = async (
  tx: SqlExecutor,
  tables: ProjectionTables,
  state: RegistryState,
  profile: ProfileState,
  fingerprintOf: FingerprintOf,
): Promise<WrittenDocument> => {
  const isDefault = state.default_profile_slug === profile.content.slug;
  const json = profileDocumentJson(state.slug, profile, isDefault, fingerprintOf(state, profile));
  const etag = documentEtag(profile.version, json);
  await tx.run(
    `INSERT INTO ${tables.documents} (registry, slug, version, etag, stored_json, document_json, summary_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version, etag = excluded.etag,
     stored_json = excluded.stored_json, document_json = excluded.document_json, summary_json = excluded.summary_json`,
    [
      state.slug,
      profile.content.slug,
      profile.version,
      etag,
      storedProfileJson(profile),
      json,
      profileSummaryJson(state.slug, profile, isDefault),
    ],
  );
  return { json, etag, version: profile.version };
};

/**
 * Rewrites the document row of each named profile (or its tombstone when it is gone) and returns
 * the documents written, by slug.
 */
export const writeProfileRows = async (
  tx: SqlExecutor,
  state: RegistryState,
  slugs: Iterable<string>,
  fingerprintOf: FingerprintOf = ownRuntimeFingerprint,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<Map<string, WrittenDocument>> => {
  const written = new Map<string, WrittenDocument>();
  if (!state.live) {
    await tx.run(`DELETE FROM ${tables.documents} WHERE registry = ?`, [state.slug]);
  }
  for (const slug of slugs) {
    const profile = state.live ? state.profiles.get(slug) : undefined;
    if (profile) {
      written.set(slug, await upsertDocument(tx, tables, state, profile, fingerprintOf));
      await tx.run(`DELETE FROM ${tables.tombstones} WHERE registry = ? AND slug = ?`, [state.slug, slug]);
      continue;
    }
    await tx.run(`DELETE FROM ${tables.documents} WHERE registry = ? AND slug = ?`, [state.slug, slug]);
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
    await tx.run(`DELETE FROM ${tables.headers} WHERE slug = ?`, [state.slug]);
    return;
  }
  await tx.run(
    `INSERT INTO ${tables.headers} (slug, header_json, metadata_json, updated_at_ms, version, summary_json)
     VALUES (?, ?, ?, ?, ?, ?)
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
  fingerprintOf: FingerprintOf = ownRuntimeFingerprint,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> => {
  const slugs = new Set([...state.profiles.keys(), ...state.tombstones.keys()]);
  await writeProfileRows(tx, state, slugs, fingerprintOf, tables);
  await writeRegistryRow(tx, state, tables);
};
