import { redactJson, SECRET_AREAS } from '../domain/secrets.js';
import { arrayJson } from '../domain/json-splicing.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { cachedRead, type CachedRead } from './read-model.js';
import { profileSummaryJson, type StoredProfileShape } from './registry-serialization.js';

/**
 * Pages of the profile and registry lists (API.md, Lists at scale): a stable order (slug, then
 * registry), a keyset position to continue after, and a case-insensitive substring search.
 */
export interface ListPosition {
  slug: string;
  registry: string;
}

export interface ListPageRequest {
  limit: number;
  after?: ListPosition;
  /** Lower-cased search text. */
  q?: string;
}

export interface ListPage {
  /** The JSON array of the page's entries, secrets as "***". */
  body: string;
  /** The same with secrets as stored. */
  revealed: string;
  /** Where the next page starts, when there is one. */
  next?: ListPosition;
}

interface Entry extends ListPosition {
  json: string;
  /** What `q` searches, lower-cased and joined by a character no search contains. */
  haystack: string;
}

const SEPARATOR = '\u0000';

/** The model a profile names: `ai-engine` of any section of its step settings. */
const modelsOf = (stored: StoredProfileShape): string[] =>
  Object.values(stored.runtime?.step_settings_patch ?? {}).flatMap((section) => {
    const engine = typeof section === 'object' && section !== null ? (section as Record<string, unknown>)['ai-engine'] : undefined;
    return typeof engine === 'string' ? [engine] : [];
  });

const searchable = (...parts: (string | undefined)[]): string => parts.filter((part) => part !== undefined).join(SEPARATOR).toLowerCase();

const profileEntries = (db: SqlExecutor, registry: string | undefined): CachedRead<Entry[]> =>
  cachedRead(db, ['profile list entries', registry ?? '*'], async () => {
    const rows = await db.all<{ registry: string; stored_json: string; is_default: number | string }>(
      `SELECT registry, stored_json, is_default FROM ${LIVE_TABLES.documents}${registry === undefined ? '' : ' WHERE registry = $1'}
       ORDER BY ${db.flavour.bySlug('slug')}, ${db.flavour.bySlug('registry')}`,
      registry === undefined ? [] : [registry],
    );
    return rows.map((row) => {
      const stored = JSON.parse(row.stored_json) as StoredProfileShape;
      return {
        slug: stored.slug,
        registry: row.registry,
        json: profileSummaryJson(row.registry, stored, Number(row.is_default) === 1),
        haystack: searchable(stored.slug, stored.display_name, stored.description, ...(stored.metadata.tags ?? []), ...modelsOf(stored)),
      };
    });
  });

const registryEntries = (db: SqlExecutor): CachedRead<Entry[]> =>
  cachedRead(db, ['registry list entries'], async () => {
    const rows = await db.all<{ slug: string; summary_json: string }>(
      `SELECT slug, summary_json FROM ${LIVE_TABLES.headers} ORDER BY ${db.flavour.bySlug('slug')}`,
    );
    return rows.map((row) => {
      const summary = JSON.parse(row.summary_json) as { display_name?: string; description?: string };
      return { slug: row.slug, registry: row.slug, json: row.summary_json, haystack: searchable(row.slug, summary.display_name, summary.description) };
    });
  });

const isAfter = (entry: ListPosition, after: ListPosition): boolean =>
  entry.slug > after.slug || (entry.slug === after.slug && entry.registry > after.registry);

const pageOf = (entries: Entry[], request: ListPageRequest, visible: (registry: string) => boolean, areas: typeof SECRET_AREAS.summaries): ListPage => {
  const picked: Entry[] = [];
  let more = false;
  for (const entry of entries) {
    if (request.after !== undefined && !isAfter(entry, request.after)) continue;
    if (!visible(entry.registry)) continue;
    if (request.q !== undefined && !entry.haystack.includes(request.q)) continue;
    if (picked.length === request.limit) {
      more = true;
      break;
    }
    picked.push(entry);
  }
  const revealed = arrayJson(picked.map((entry) => entry.json));
  const last = picked.at(-1);
  return { body: redactJson(revealed, areas), revealed, ...(more && last ? { next: { slug: last.slug, registry: last.registry } } : {}) };
};

/** A page of profile summaries of one registry or of every visible one, in slug, then registry order. */
export const profileSummaryPage = async (
  db: SqlExecutor,
  registry: string | undefined,
  request: ListPageRequest,
  visible: (registry: string) => boolean,
): Promise<ListPage> => pageOf(await profileEntries(db, registry), request, visible, SECRET_AREAS.summaries);

/** A page of registry summaries, in slug order. */
export const registrySummaryPage = async (db: SqlExecutor, request: ListPageRequest, visible: (registry: string) => boolean): Promise<ListPage> =>
  pageOf(await registryEntries(db), request, visible, SECRET_AREAS.summaries);
