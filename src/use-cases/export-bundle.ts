import { registryNotFound } from '../domain/errors.js';
import type { RegistryBundle, RegistryContent } from '../domain/registry-bundle.js';
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

/** The names of the middlewares and extensions the registries' profiles use. */
const namesUsed = (registries: readonly RegistryContent[]): Set<string> => {
  const names = new Set<string>();
  for (const registry of registries) {
    for (const content of Object.values(registry.profiles)) {
      for (const middleware of content.runtime.middlewares ?? []) names.add(schemaKey('middleware', middleware.name));
      for (const key of Object.keys(content.extensions)) names.add(schemaKey('extension', key));
    }
  }
  return names;
};

/** The schemas that travel with the registries: all of them, or for one registry those its profiles use. */
const schemasFor = async (db: SqlExecutor, registries: readonly RegistryContent[], options: ExportOptions): Promise<BundleSchemas> => {
  const state = await readSchemaState(db, options.asOfMs);
  const used = options.registry === undefined ? undefined : namesUsed(registries);
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

/** The store (or one registry), now from the projections or as of a time from the events, as a bundle. */
export const exportBundle = async (db: SqlExecutor, options: ExportOptions = {}): Promise<RegistryBundle> => {
  const slugs = options.registry !== undefined ? [options.registry] : await registrySlugs(db, options.asOfMs !== undefined);
  const registries: RegistryContent[] = [];
  for (const [index, slug] of slugs.entries()) {
    const state = await stateAt(db, slug, options.asOfMs);
    if (state?.live) registries.push(contentOf(state));
    else if (options.registry !== undefined) throw registryNotFound();
    options.onProgress?.(index + 1, slugs.length);
  }
  return registryBundle(registries, await schemasFor(db, registries, options));
};
