import type { SqlDialect, SqlExecutor } from '../events/sql-database.js';

/** The first response to each `Idempotency-Key`, written in the transaction of the write it answers. */
export const idempotencySchema = (dialect: SqlDialect): string => `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  headers_json TEXT NOT NULL,
  created_at_ms ${dialect === 'sqlite' ? 'INTEGER' : 'BIGINT'} NOT NULL
);
`;

export interface StoredResponse {
  request_hash: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** The recorded response to a key, unless the key is older than `notBeforeMs` (expired). */
export const readIdempotentResponse = async (
  db: SqlExecutor,
  key: string,
  notBeforeMs: number,
): Promise<StoredResponse | undefined> => {
  const row = await db.get<{ request_hash: string; status: number | string; body: string; headers_json: string }>(
    'SELECT request_hash, status, body, headers_json FROM idempotency_keys WHERE key = ? AND created_at_ms >= ?',
    [key, notBeforeMs],
  );
  return row
    ? { request_hash: row.request_hash, status: Number(row.status), body: row.body, headers: JSON.parse(row.headers_json) }
    : undefined;
};

/** Takes the key for a write about to run (before anything is decided); false when another write holds it. */
export const claimIdempotencyKey = async (
  tx: SqlExecutor,
  key: string,
  requestHash: string,
  nowMs: number,
  notBeforeMs: number,
): Promise<boolean> => {
  await tx.run('DELETE FROM idempotency_keys WHERE key = ? AND created_at_ms < ?', [key, notBeforeMs]);
  return (await tx.run(
    `INSERT INTO idempotency_keys (key, request_hash, status, body, headers_json, created_at_ms) VALUES (?, ?, 0, '', '{}', ?)
     ON CONFLICT (key) DO NOTHING`,
    [key, requestHash, nowMs],
  )) > 0;
};

/**
 * Forgets every key older than `notBeforeMs`, so that the table cannot grow without bound. A scan
 * (no index, so the schema stays as it was): it runs at most once a minute and the table holds one TTL of keys.
 */
export const purgeExpiredIdempotencyKeys = async (tx: SqlExecutor, notBeforeMs: number): Promise<number> =>
  tx.run('DELETE FROM idempotency_keys WHERE created_at_ms < ?', [notBeforeMs]);

/** Records the response of the write that claimed the key, in its transaction. */
export const recordIdempotentResponse = async (tx: SqlExecutor, key: string, response: StoredResponse): Promise<void> => {
  await tx.run('UPDATE idempotency_keys SET status = ?, body = ?, headers_json = ? WHERE key = ?', [
    response.status,
    response.body,
    JSON.stringify(response.headers),
    key,
  ]);
};
