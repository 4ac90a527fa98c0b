import { checkProjectionJson, parseProjectionJson, ProjectionDamaged } from './damaged-row.js';
import { redactJson, SECRET_AREAS } from '../domain/secrets.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import type { ProfileState } from '../events/registry-state.js';
import { documentJsonOf, profileStateOfRow, profileSummaryJson, type StoredProfileShape } from './registry-serialization.js';
import { arrayJson } from '../domain/json-splicing.js';
import { placeOf, type StringTree, stringTree } from '../domain/string-tree.js';

/** Reads served from the projections, never by folding events. */

interface ReadCache {
  marker: number;
  entries: StringTree<unknown>;
  count: number;
}

const MAX_CACHED_READS = 2000;
const readCaches = new WeakMap<SqlExecutor, ReadCache>();

/** A read kept in memory is answered at once; only a load is a promise. */
export type CachedRead<T> = T | Promise<T>;

/** What `next` makes of a read: at once when the read was kept in memory, else once it is loaded. */
export const afterRead = <T, U>(read: CachedRead<T>, next: (value: T) => CachedRead<U>): CachedRead<U> =>
  read instanceof Promise ? read.then(next) : next(read);

const cachedFor = <T>(db: SqlExecutor, marker: number, key: readonly string[], load: () => Promise<T>): CachedRead<T> => {
  let cache = readCaches.get(db);
  // a smaller marker was asked before the cache's: what the cache holds is newer still, and valid
  if (!cache || cache.marker < marker) {
    cache = { marker, entries: stringTree(), count: 0 };
    readCaches.set(db, cache);
  }
  const known = placeOf(cache.entries, key, false)?.known;
  if (known !== undefined) return known.value as T;
  const kept = cache;
  return load().then((value) => {
    if (kept.count >= MAX_CACHED_READS) {
      kept.entries = stringTree();
      kept.count = 0;
    }
    (placeOf(kept.entries, key, true) as StringTree<unknown>).known = { value };
    kept.count += 1;
    return value;
  });
};

/**
 * Serves a read from memory while the database says nothing committed since it was read
 * (SQLite's data_version, PostgreSQL's event log head asked after the read arrived or within
 * the read lease: see `changeMarker`); without such a marker, always from the database. What a load returns is
 * never older than the marker it is kept under, since it is read after the marker. `key` names
 * the read, its kind first (`['document', registry, slug]`).
 */
export const cachedRead = <T>(db: SqlExecutor, key: readonly string[], load: () => Promise<T>): CachedRead<T> => {
  const marker = (db as Partial<SqlDatabase>).changeMarker?.();
  if (marker === undefined) return load();
  return typeof marker === 'number' ? cachedFor(db, marker, key, load) : marker.then((known) => cachedFor(db, known, key, load));
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

export const readProfileDocument = (
  db: SqlExecutor,
  registry: string,
  slug: string,
): CachedRead<DocumentRow | undefined> =>
  cachedRead(db, ['document', registry, slug], async () => {
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

export const registryExists = (db: SqlExecutor, registry: string): CachedRead<boolean> =>
  cachedRead(db, ['registry exists', registry], async () =>
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
export const listProfileSummaries = (db: SqlExecutor, registry: string): CachedRead<SummaryList> =>
  cachedRead(db, ['summaries', registry], async () =>
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
export const listAllProfileSummaries = (db: SqlExecutor, visible?: ReadonlySet<string>): CachedRead<SummaryList> =>
  cachedRead(db, visible === undefined ? ['summaries of every registry'] : ['summaries of', ...[...visible].sort()], async () => {
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
export const registriesHoldingProfile = (db: SqlExecutor, slug: string): CachedRead<string[]> =>
  cachedRead(db, ['holders', slug], async () => {
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
