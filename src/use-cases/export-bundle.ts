import { registryNotFound } from '../domain/errors.js';
import { compareSlugs, type RegistryBundle, type RegistryContent } from '../domain/registry-bundle.js';
import { registryBundle } from '../domain/write-registry-bundle.js';
import type { RegistryState } from '../events/registry-state.js';
import { SCHEMA_STREAM, schemaKey, schemasOfKind } from '../events/schema-state.js';
import type { BundleSchemas, ExtensionSchemaDocument, MiddlewareSchemaDocument, SchemaKind } from '../domain/schema-documents.js';
import { readSchemaState } from '../projections/schema-reads.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { loadRegistryState } from '../projections/load-registry-state.js';
import { registryStateAt } from '../projections/time-travel.js';
import { LIVE_TABLES } from '../projections/projection-schema.js';
import { registryHeader } from '../projections/registry-serialization.js';

export interface ExportOptions {
  /** Only this registry (not found when it does not exist, or did not at `asOfMs`). */
  registry?: string;
  /** The registries as they were at this time: a fold of their events up to it. */
  asOfMs?: number;
  /** After each registry: how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
}

const contentOf = (state: RegistryState): RegistryContent => {
  const profiles: RegistryContent['profiles'] = {};
  for (const [slug, profile] of state.profiles) profiles[slug] = profile.content;
  return { ...registryHeader(state), profiles };
};

/** The names of the middlewares and extensions a registry's profiles use. */
const namesUsed = (registry: RegistryContent): Set<string> => {
  const names = new Set<string>();
  for (const content of Object.values(registry.profiles)) {
    for (const middleware of content.runtime.middlewares ?? []) names.add(schemaKey('middleware', middleware.name));
    for (const key of Object.keys(content.extensions)) names.add(schemaKey('extension', key));
  }
  return names;
};

/**
 * The schemas that travel with the registries: all of them, or for one registry (`exported`, the
 * one `exportedRegistries` gave) those its profiles use.
 */
export const exportedSchemas = async (db: SqlExecutor, options: ExportOptions, exported: RegistryContent | undefined): Promise<BundleSchemas> => {
  const state = await readSchemaState(db, options.asOfMs);
  const used = options.registry === undefined ? undefined : exported ? namesUsed(exported) : new Set<string>();
  const pick = (kind: SchemaKind) => schemasOfKind(state, kind).filter((entry) => used === undefined || used.has(schemaKey(kind, entry.name)));
  return {
    middlewares: pick('middleware').map((entry) => entry.document as MiddlewareSchemaDocument),
    extensions: pick('extension').map((entry) => entry.document as ExtensionSchemaDocument),
  };
};

// a past state from the nearest snapshot, as the API's `?as_of=` reads it (a fold of the whole
// stream held 1,000,000 events' content at once: 2.5 GB)
const stateAt = async (db: SqlExecutor, slug: string, asOfMs: number | undefined) =>
  asOfMs === undefined ? loadRegistryState(db, slug) : registryStateAt(db, slug, { atMs: asOfMs });

const registrySlugs = async (db: SqlExecutor, past: boolean): Promise<string[]> =>
  past
    ? (await db.events.listStreams()).map((stream) => stream.streamId).filter((streamId) => streamId !== SCHEMA_STREAM)
    : (await db.all<{ slug: string }>(`SELECT slug FROM ${LIVE_TABLES.registries} ORDER BY slug`)).map((row) => row.slug);

/**
 * The store's registries (or one), now from the projections or as of a time from the events, one
 * at a time in the bundle's slug order: a writer holds one registry, not the store (10,000
 * profiles of 4 KB were 844 MB of memory as one bundle).
 */
export async function* exportedRegistries(db: SqlExecutor, options: ExportOptions = {}): AsyncGenerator<RegistryContent> {
  const slugs = options.registry !== undefined ? [options.registry] : (await registrySlugs(db, options.asOfMs !== undefined)).sort(compareSlugs);
  for (const [index, slug] of slugs.entries()) {
    const state = await stateAt(db, slug, options.asOfMs);
    if (state?.live) yield contentOf(state);
    else if (options.registry !== undefined) throw registryNotFound();
    options.onProgress?.(index + 1, slugs.length);
  }
}

/** The store (or one registry), now or as of a time, as one bundle (the HTTP export). */
export const exportBundle = async (db: SqlExecutor, options: ExportOptions = {}): Promise<RegistryBundle> => {
  const registries: RegistryContent[] = [];
  for await (const registry of exportedRegistries(db, options)) registries.push(registry);
  return registryBundle(registries, await exportedSchemas(db, options, registries[0]));
};
