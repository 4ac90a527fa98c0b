import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { bySlug, LIVE_TABLES } from './projection-schema.js';
import { documentJsonOf, profileSummaryJson, type StoredProfileShape } from './registry-serialization.js';

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
 * (SQLite's data_version, PostgreSQL's event log head asked after the read arrived: see
 * `changeMarker`); without such a marker, always from the database. What a load returns is
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
}

export interface DocumentRow {
  version: number;
  etag: string;
  /** The document's UTF-8 bytes, encoded once per version and sent as they are. */
  body: Buffer;
}

export const readProfileDocument = async (
  db: SqlExecutor,
  registry: string,
  slug: string,
): Promise<DocumentRow | undefined> =>
  cachedRead(db, `document ${registry} ${slug}`, async () => {
    const row = await db.get<DocumentParts>(
      `SELECT version, etag, is_default, fingerprint, stored_json FROM ${LIVE_TABLES.documents} WHERE registry = ? AND slug = ?`,
      [registry, slug],
    );
    if (!row) return undefined;
    const json = documentJsonOf(registry, row.stored_json, Number(row.is_default) === 1, row.fingerprint);
    return { version: Number(row.version), etag: row.etag, body: Buffer.from(json) };
  });

export const registryExists = (db: SqlExecutor, registry: string): Promise<boolean> =>
  cachedRead(db, `registry exists ${registry}`, async () =>
    (await db.get(`SELECT 1 AS found FROM ${LIVE_TABLES.headers} WHERE slug = ?`, [registry])) !== undefined,
  );

/**
 * The profile summaries of a registry, sorted by slug: the UTF-8 bytes of a JSON array, and how
 * many. Assembled from the stored profiles once per change of the database, so that a write does
 * not store every profile's list entry a second time.
 */
export const listProfileSummaries = (db: SqlExecutor, registry: string): Promise<{ count: number; body: Buffer }> =>
  cachedRead(db, `summaries ${registry}`, async () => {
    const rows = await db.all<{ stored_json: string; is_default: number | string }>(
      `SELECT stored_json, is_default FROM ${LIVE_TABLES.documents} WHERE registry = ? ORDER BY ${bySlug(db.dialect, 'slug')}`,
      [registry],
    );
    const summaries = rows.map((row) =>
      profileSummaryJson(registry, JSON.parse(row.stored_json) as StoredProfileShape, Number(row.is_default) === 1),
    );
    return { count: rows.length, body: Buffer.from(`[${summaries.join(',')}]`) };
  });

export const listRegistrySummariesJson = async (db: SqlExecutor): Promise<string> => {
  const rows = await db.all<{ summary_json: string }>(
    `SELECT summary_json FROM ${LIVE_TABLES.headers} ORDER BY ${bySlug(db.dialect, 'slug')}`,
  );
  return `[${rows.map((row) => row.summary_json).join(',')}]`;
};

export interface RegistryRow {
  version: number;
  payload_json: string;
}

export const readRegistryPayload = async (db: SqlExecutor, registry: string): Promise<RegistryRow | undefined> => {
  const row = await db.get<{ version: number; payload_text: string }>(
    `SELECT version, payload_text FROM ${LIVE_TABLES.registries} WHERE slug = ?`,
    [registry],
  );
  return row ? { version: Number(row.version), payload_json: row.payload_text } : undefined;
};

export const hasEvents = async (db: SqlExecutor): Promise<boolean> =>
  (await db.get('SELECT 1 AS found FROM events LIMIT 1')) !== undefined;

export const countEvents = async (db: SqlExecutor): Promise<number> => {
  const row = await db.get<{ count: number | string }>('SELECT COUNT(*) AS count FROM events');
  return Number(row?.count ?? 0);
};
