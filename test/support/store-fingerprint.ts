import type { SqlExecutor } from '../../src/events/sql-database.js';

/** What a refused request must leave as it was: the event log's head, the projections, the idempotency keys. */
export const storeFingerprint = async (db: SqlExecutor): Promise<string> => {
  const events = await db.get<{ count: number | string; last: number | string | null }>(
    'SELECT COUNT(*) AS count, MAX(position) AS last FROM events',
  );
  const registries = await db.all<{ slug: string; payload_json: string }>(
    'SELECT slug, payload_json FROM profile_registries ORDER BY slug',
  );
  const keys = await db.get<{ count: number | string }>('SELECT COUNT(*) AS count FROM idempotency_keys');
  return JSON.stringify([
    Number(events?.count),
    Number(events?.last ?? 0),
    registries.map((row) => [row.slug, typeof row.payload_json === 'string' ? row.payload_json : JSON.stringify(row.payload_json)]),
    Number(keys?.count),
  ]);
};
