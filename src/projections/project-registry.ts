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

/**
 * What a profile's rows hold (its document and its stack refs), from the state alone: a pure
 * value, so that another thread can compute it (the rebuild's rows aside, registry-rows-aside.ts).
 */
export interface ProfileRowValues {
  slug: string;
  version: number;
  etag: string;
  isDefault: boolean;
  fingerprint: string;
  storedJson: string;
  signatureJson: string | null;
  /** The registry and profile each stack ref names, in the stack's order. */
  stack: [registry: string, profile: string][];
}

/** What one slug of a registry leaves in the rows: the profile's, else its tombstone's version (if any). */
export type SlugRowValues = { slug: string; document: ProfileRowValues } | { slug: string; document?: undefined; tombstone: number | undefined };

/** How rows are written: `intoEmpty` when the tables hold no row of the registry (a rebuild): nothing to delete first. */
export interface RowWriting {
  intoEmpty?: boolean;
}

const rowSqlOf = (tables: ProjectionTables) => ({
  deleteStackRefs: `DELETE FROM ${tables.stackRefs} WHERE registry = $1 AND profile = $2`,
  insertStackRef: `INSERT INTO ${tables.stackRefs} (registry, profile, ref_registry, ref_profile) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
  upsertTombstone: `INSERT INTO ${tables.tombstones} (registry, slug, version) VALUES ($1, $2, $3)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version`,
  upsertDocument: `INSERT INTO ${tables.documents} (registry, slug, version, etag, is_default, fingerprint, stored_json, signature_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (registry, slug) DO UPDATE SET version = excluded.version, etag = excluded.etag,
     is_default = excluded.is_default, fingerprint = excluded.fingerprint, stored_json = excluded.stored_json,
     signature_json = excluded.signature_json`,
  deleteRegistryDocuments: `DELETE FROM ${tables.documents} WHERE registry = $1`,
  deleteRegistryStackRefs: `DELETE FROM ${tables.stackRefs} WHERE registry = $1`,
  deleteTombstone: `DELETE FROM ${tables.tombstones} WHERE registry = $1 AND slug = $2`,
  deleteDocument: `DELETE FROM ${tables.documents} WHERE registry = $1 AND slug = $2`,
  deleteHeader: `DELETE FROM ${tables.headers} WHERE slug = $1`,
  upsertHeader: `INSERT INTO ${tables.headers} (slug, header_json, metadata_json, updated_at_ms, version, summary_json)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (slug) DO UPDATE SET header_json = excluded.header_json, metadata_json = excluded.metadata_json,
     updated_at_ms = excluded.updated_at_ms, version = excluded.version, summary_json = excluded.summary_json`,
});

// built once per set of tables (the live set, verify's shadow set): the executors keep prepared
// statements by text, and a text built on every call is a new string to hash
const builtRowSql = new WeakMap<ProjectionTables, ReturnType<typeof rowSqlOf>>();
const rowSql = (tables: ProjectionTables) => {
  let sql = builtRowSql.get(tables);
  if (sql === undefined) {
    sql = rowSqlOf(tables);
    builtRowSql.set(tables, sql);
  }
  return sql;
};

const writeStackRefs = async (tx: SqlExecutor, tables: ProjectionTables, registry: string, stack: readonly [string, string][], slug: string, { intoEmpty }: RowWriting) => {
  const sql = rowSql(tables);
  if (!intoEmpty) await tx.write(sql.deleteStackRefs, [registry, slug]);
  for (const [refRegistry, refProfile] of stack) await tx.write(sql.insertStackRef, [registry, slug, refRegistry, refProfile]);
};

const upsertTombstone = async (tx: SqlExecutor, tables: ProjectionTables, registry: string, slug: string, version: number) => {
  await tx.write(rowSql(tables).upsertTombstone, [registry, slug, version]);
};

const isDefaultOf = (state: RegistryState, profile: ProfileState): boolean => state.default_profile_slug === profile.content.slug;

/** The document a profile's row holds (what every projection store writes). */
export const documentOf = (state: RegistryState, profile: ProfileState, fingerprintOf: FingerprintOf): WrittenDocument => {
  const fingerprint = fingerprintOf(state, profile);
  const json = profileDocumentJson(state.slug, profile, isDefaultOf(state, profile), fingerprint);
  return { json, etag: documentEtag(fingerprintOf.key, profile.version, json), version: profile.version, fingerprint, registry: state.slug, profile };
};

const profileRowValuesOf = (state: RegistryState, profile: ProfileState, document: WrittenDocument): ProfileRowValues => ({
  slug: profile.content.slug,
  version: profile.version,
  etag: document.etag,
  isDefault: isDefaultOf(state, profile),
  fingerprint: document.fingerprint,
  storedJson: storedProfileJson(profile),
  signatureJson: signatureJsonOf(profile),
  stack: profile.content.stack.map((ref) => [ref.registry_slug ?? state.slug, ref.profile_slug]),
});

const upsertDocument = (tx: SqlExecutor, tables: ProjectionTables, registry: string, values: ProfileRowValues): Promise<void> =>
  tx.write(rowSql(tables).upsertDocument, [
    registry, values.slug, values.version, values.etag, values.isDefault ? 1 : 0, values.fingerprint, values.storedJson, values.signatureJson,
  ]);

/** Rewrites the rows of each slug of a registry (see writeProfileRows), from their values. */
const writeSlugRows = async (
  tx: SqlExecutor,
  tables: ProjectionTables,
  registry: string,
  live: boolean,
  slugs: Iterable<SlugRowValues>,
  writing: RowWriting = {},
): Promise<void> => {
  const sql = rowSql(tables);
  if (!live && !writing.intoEmpty) {
    await tx.write(sql.deleteRegistryDocuments, [registry]);
    await tx.write(sql.deleteRegistryStackRefs, [registry]);
  }
  for (const row of slugs) {
    await writeStackRefs(tx, tables, registry, row.document?.stack ?? [], row.slug, writing);
    if (row.document) {
      await upsertDocument(tx, tables, registry, row.document);
      if (!writing.intoEmpty) await tx.write(sql.deleteTombstone, [registry, row.slug]);
      continue;
    }
    if (!writing.intoEmpty) await tx.write(sql.deleteDocument, [registry, row.slug]);
    if (row.tombstone !== undefined) await upsertTombstone(tx, tables, registry, row.slug, row.tombstone);
  }
};

/** The values of a slug's rows, and its document when the profile is live. */
const slugRowValuesOf = (state: RegistryState, slug: string, fingerprintOf: FingerprintOf): [SlugRowValues, WrittenDocument | undefined] => {
  const profile = state.live ? state.profiles.get(slug) : undefined;
  if (!profile) return [{ slug, tombstone: state.tombstones.get(slug) }, undefined];
  const document = documentOf(state, profile, fingerprintOf);
  return [{ slug, document: profileRowValuesOf(state, profile, document) }, document];
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
  const values: SlugRowValues[] = [];
  for (const slug of slugs) {
    const [row, document] = slugRowValuesOf(state, slug, fingerprintOf);
    values.push(row);
    if (document) written.set(slug, document);
  }
  await writeSlugRows(tx, tables, state.slug, state.live, values);
  return written;
};

/** A live registry's header row: slug, header, metadata, updated_at_ms, version, summary. */
export type HeaderRowValues = [string, string, string, number, number, string];

const headerRowValuesOf = (state: RegistryState): HeaderRowValues => [
  state.slug,
  registryHeaderJson(state),
  registryMetadataJson(state),
  state.stamp.updated_at_ms,
  state.version,
  registrySummaryJson(state),
];

const writeHeaderRow = async (tx: SqlExecutor, tables: ProjectionTables, slug: string, header: HeaderRowValues | undefined, writing: RowWriting = {}): Promise<void> => {
  if (!header) {
    if (!writing.intoEmpty) await tx.write(rowSql(tables).deleteHeader, [slug]);
    return;
  }
  await tx.write(rowSql(tables).upsertHeader, header);
};

/**
 * Writes the registry's header row, which with its profile rows makes its `profile_registries`
 * row (or removes it once the registry is deleted). Small: it holds no profile.
 */
export const writeRegistryRow = async (tx: SqlExecutor, state: RegistryState, tables: ProjectionTables = LIVE_TABLES): Promise<void> =>
  writeHeaderRow(tx, tables, state.slug, state.live ? headerRowValuesOf(state) : undefined);

/** Every row of one registry as values (see registryRowValuesOf): what a rebuild writes, computed on any thread. */
export interface RegistryRowValues {
  slug: string;
  live: boolean;
  slugs: SlugRowValues[];
  header?: HeaderRowValues;
}

/** Every row of one registry, from its state alone (pure). */
export const registryRowValuesOf = (state: RegistryState, fingerprintOf: FingerprintOf): RegistryRowValues => {
  const slugs = new Set([...state.profiles.keys(), ...state.tombstones.keys()]);
  return {
    slug: state.slug,
    live: state.live,
    slugs: [...slugs].map((slug) => slugRowValuesOf(state, slug, fingerprintOf)[0]),
    header: state.live ? headerRowValuesOf(state) : undefined,
  };
};

/** Writes every row of one registry from its values. */
export const writeRegistryRowValues = async (
  tx: SqlExecutor,
  rows: RegistryRowValues,
  tables: ProjectionTables = LIVE_TABLES,
  writing: RowWriting = {},
): Promise<void> => {
  await writeSlugRows(tx, tables, rows.slug, rows.live, rows.slugs, writing);
  await writeHeaderRow(tx, tables, rows.slug, rows.header, writing);
};
