import { checkProjectionJson, parseProjectionJson, ProjectionDamaged } from './damaged-row.js';
import { redactJson, SECRET_AREAS } from '../domain/secrets.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import type { ProfileState } from '../events/registry-state.js';
import { documentJsonOf, profileStateOfRow, profileSummaryJson, type StoredProfileShape } from './registry-serialization.js';
import { arrayJson } from '../domain/json-splicing.js';

/** Reads served from the projections, never by folding events. */

interface ReadCache {
  marker: number;
  entries: Map<string, unknown>;
}

const MAX_CACHED_READS = 2000;
const readCaches = new WeakMap<SqlExecutor, ReadCache>();

const cachedFor = <T>(db: SqlExecutor, marker: number, key: string, load: () => Promise<T>): T | Promise<T> => {
  let cache = readCaches.get(db);
  // a smaller marker was asked before the cache's: what the cache holds is newer still, and valid
  if (!cache || cache.marker < marker) {
    cache = { marker, entries: new Map() };
    readCaches.set(db, cache);
  }
  const entries = cache.entries;
  if (entries.has(key)) return entries.get(key) as T;
  return load().then((value) => {
    if (entries.size >= MAX_CACHED_READS) entries.clear();
    entries.set(key, value);
    return value;
  });
};

/**
 * Serves a read from memory while the database says nothing committed since it was read
 * (SQLite's data_version, PostgreSQL's event log head asked after the read arrived or within
 * the read lease: see `changeMarker`); without such a marker, always from the database. What a load returns is
 * never older than the marker it is kept under, since it is read after the marker.
 */
export const cachedRead = async <T>(db: SqlExecutor, key: string, load: () => Promise<T>): Promise<T> => {
  const marker = (db as Partial<SqlDatabase>).changeMarker?.();
  if (marker === undefined) return load();
  return cachedFor(db, typeof marker === 'number' ? marker : await marker, key, load);
};

interface DocumentParts {
  version: number | string;
  etag: string;
  is_default: number | string;
  fingerprint: string;
  stored_json: string;
  signature_json: string | null;
}

export interface DocumentRow {
  version: number;
  etag: string;
  /** The document's UTF-8 bytes with secrets shown as "***", encoded once per version and sent as they are. */
  body: Buffer;
  /** The bytes with the secrets (the same Buffer as `body` when the document holds none). */
  revealed: Buffer;
  /** The profile, for judging its signature (only read back for a profile that was ever published). */
  signed?: ProfileState;
}

/** Redacted bytes, and the real ones only when they differ (most profiles hold no secret). */
const redactedAndRevealed = (json: string, areas: typeof SECRET_AREAS.profile): { body: Buffer; revealed: Buffer } => {
  const revealed = Buffer.from(json);
  const redacted = redactJson(json, areas);
  return { body: redacted === json ? revealed : Buffer.from(redacted), revealed };
};

export const readProfileDocument = async (
  db: SqlExecutor,
  registry: string,
  slug: string,
): Promise<DocumentRow | undefined> =>
  cachedRead(db, `document ${registry} ${slug}`, async () => {
    const row = await db.get<DocumentParts>(
      `SELECT version, etag, is_default, fingerprint, stored_json, signature_json FROM ${LIVE_TABLES.documents} WHERE registry = $1 AND slug = $2`,
      [registry, slug],
    );
    if (!row) return undefined;
    const name = () => `profile_documents ${registry}/${slug}`;
    checkProjectionJson(row.stored_json, name);
    checkProjectionJson(row.signature_json, name);
    const json = documentJsonOf(registry, row.stored_json, Number(row.is_default) === 1, row.fingerprint, row.signature_json);
    const document: DocumentRow = { version: Number(row.version), etag: row.etag, ...redactedAndRevealed(json, SECRET_AREAS.profile) };
    if (row.signature_json) document.signed = profileStateOfRow(row.stored_json, row.signature_json);
    return document;
  });

export const registryExists = (db: SqlExecutor, registry: string): Promise<boolean> =>
  cachedRead(db, `registry exists ${registry}`, async () =>
    (await db.get(`SELECT 1 AS found FROM ${LIVE_TABLES.headers} WHERE slug = $1`, [registry])) !== undefined,
  );

interface SummaryRow {
  registry: string;
  stored_json: string;
  is_default: number | string;
}

export interface SummaryList {
  count: number;
  /** The UTF-8 bytes of the JSON array with secrets as "***", encoded once per change of the database. */
  body: Buffer;
  /** The same with secrets as stored. */
  revealed: Buffer;
}

const summaryList = (rows: SummaryRow[]): SummaryList => {
  const summaries = rows.map((row) =>
    profileSummaryJson(
      row.registry,
      parseProjectionJson<StoredProfileShape>(row.stored_json, () => `profile_documents of registry ${row.registry}`),
      Number(row.is_default) === 1,
    ),
  );
  return { count: rows.length, ...redactedAndRevealed(arrayJson(summaries), SECRET_AREAS.summaries) };
};

/**
 * The profile summaries of a registry, sorted by slug. Assembled from the stored profiles once per
 * change of the database, so that a write does not store every profile's list entry a second time.
 */
export const listProfileSummaries = (db: SqlExecutor, registry: string): Promise<SummaryList> =>
  cachedRead(db, `summaries ${registry}`, async () =>
    summaryList(
      await db.all<SummaryRow>(
        `SELECT registry, stored_json, is_default FROM ${LIVE_TABLES.documents} WHERE registry = $1 ORDER BY ${db.flavour.bySlug('slug')}`,
        [registry],
      ),
    ),
  );

/**
 * The profile summaries of every live registry (or of those a token may see), sorted by slug,
 * then registry; cached as above.
 */
export const listAllProfileSummaries = (db: SqlExecutor, visible?: ReadonlySet<string>): Promise<SummaryList> =>
  cachedRead(db, visible === undefined ? 'summaries of every registry' : `summaries of ${[...visible].sort().join(' ')}`, async () => {
    const rows = await db.all<SummaryRow>(
      `SELECT registry, stored_json, is_default FROM ${LIVE_TABLES.documents}
       ORDER BY ${db.flavour.bySlug('slug')}, ${db.flavour.bySlug('registry')}`,
    );
    return summaryList(visible === undefined ? rows : rows.filter((row) => visible.has(row.registry)));
  });

/**
 * The live registries that hold a profile: the default registry first, then in slug order.
 * Reads that name no registry answer from the first (API.md, Profiles).
 */
export const registriesHoldingProfile = (db: SqlExecutor, slug: string): Promise<string[]> =>
  cachedRead(db, `holders ${slug}`, async () => {
    const rows = await db.all<{ registry: string }>(
      `SELECT registry FROM ${LIVE_TABLES.documents} WHERE slug = $1
       ORDER BY CASE WHEN registry = $2 THEN 0 ELSE 1 END, ${db.flavour.bySlug('registry')}`,
      [slug, DEFAULT_REGISTRY],
    );
    return rows.map((row) => row.registry);
  });

export const listRegistrySummariesJson = async (db: SqlExecutor): Promise<string> => {
  const rows = await db.all<{ slug: string; summary_json: string }>(
    `SELECT slug, summary_json FROM ${LIVE_TABLES.headers} ORDER BY ${db.flavour.bySlug('slug')}`,
  );
  for (const row of rows) checkProjectionJson(row.summary_json, () => `registry_headers ${row.slug}`);
  return arrayJson(rows.map((row) => row.summary_json));
};

export interface RegistryRow {
  version: number;
  payload_json: string;
}

export const readRegistryPayload = async (db: SqlExecutor, registry: string): Promise<RegistryRow | undefined> => {
  const row = await db.get<{ version: number; payload_text: string }>(
    `SELECT version, payload_text FROM ${LIVE_TABLES.registries} WHERE slug = $1`,
    [registry],
  );
  if (!row) return undefined;
  const name = () => `profile_registries ${registry}`;
  // the payload is assembled from the profile rows: each must still be a profile object
  const payload = parseProjectionJson<{ profiles?: Record<string, unknown> }>(row.payload_text, name);
  for (const profile of Object.values(payload.profiles ?? {})) {
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new ProjectionDamaged(name());
  }
  return { version: Number(row.version), payload_json: row.payload_text };
};

export const hasEvents = async (db: SqlExecutor): Promise<boolean> => (await db.events.lastPosition()) > 0;
