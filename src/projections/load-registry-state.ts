import type { RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES, type ProjectionTables } from './projection-schema.js';
import { registryStateFromRows } from './registry-serialization.js';

/**
 * A registry's current state from its projection rows (the live ones unless `tables` names others): what the decider needs to judge a write,
 * without reading its history. Undefined when the registry never existed.
 */
export const loadRegistryState = async (
  executor: SqlExecutor,
  slug: string,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<RegistryState | undefined> => {
  const head = await executor.events.streamHead(slug);
  if (head.version === 0) return undefined;
  const tombstoneRows = await executor.all<{ slug: string; version: number | string }>(
    `SELECT slug, version FROM ${tables.tombstones} WHERE registry = $1`,
    [slug],
  );
  const tombstones = new Map(tombstoneRows.map((row) => [row.slug, Number(row.version)]));
  const header = await executor.get<{ header_json: string; metadata_json: string }>(
    `SELECT header_json, metadata_json FROM ${tables.headers} WHERE slug = $1`,
    [slug],
  );
  if (!header) {
    return {
      slug,
      live: false,
      version: head.version,
      stamp: { created_at_ms: 0, updated_at_ms: 0, created_by: '', updated_by: '', source: '' },
      profiles: new Map(),
      tombstones,
    };
  }
  const profiles = await executor.all<{ stored_json: string; signature_json: string | null }>(
    `SELECT stored_json, signature_json FROM ${tables.documents} WHERE registry = $1`,
    [slug],
  );
  return registryStateFromRows(header.header_json, header.metadata_json, profiles, tombstones);
};
