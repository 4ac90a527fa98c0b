import { readStreamHead } from '../events/append-to-stream.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { registryStateFromRows } from './registry-serialization.js';

/**
 * A registry's current state from its projection rows: what the decider needs to judge a write,
 * without reading its history. Undefined when the registry never existed.
 */
export const loadRegistryState = async (executor: SqlExecutor, slug: string): Promise<RegistryState | undefined> => {
  const head = await readStreamHead(executor, slug);
  if (head.version === 0) return undefined;
  const tombstoneRows = await executor.all<{ slug: string; version: number | string }>(
    `SELECT slug, version FROM ${LIVE_TABLES.tombstones} WHERE registry = ?`,
    [slug],
  );
  const tombstones = new Map(tombstoneRows.map((row) => [row.slug, Number(row.version)]));
  const row = await executor.get<{ payload_json: string | object }>(
    `SELECT payload_json FROM ${LIVE_TABLES.registries} WHERE slug = ?`,
    [slug],
  );
  if (!row) {
    return {
      slug,
      live: false,
      version: head.version,
      stamp: { created_at_ms: 0, updated_at_ms: 0, created_by: '', updated_by: '', source: '' },
      profiles: new Map(),
      tombstones,
    };
  }
  const documents = await executor.all<{ document_json: string }>(
    `SELECT document_json FROM ${LIVE_TABLES.documents} WHERE registry = ? ORDER BY slug`,
    [slug],
  );
  return registryStateFromRows(
    row.payload_json as string,
    documents.map((document) => document.document_json),
    tombstones,
  );
};
