import type { SqlExecutor } from '../events/sql-database.js';
import type { SqlFlavour } from '../events/sql-flavour.js';
import { addColumnIfMissing } from './add-column.js';
import type { RowSealer } from '../domain/row-seal.js';

/**
 * The first response to each `Idempotency-Key`, written in the transaction of the write it answers,
 * with a seal over it that a replay checks (an edited stored response never reaches a client).
 */
export const idempotencySchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  headers_json TEXT NOT NULL,
  created_at_ms ${bigint} NOT NULL,
  seal TEXT
);
`;

export interface StoredResponse {
  request_hash: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

export interface SealedResponse extends StoredResponse {
  seal: string | null;
  /** What the seal covers, as stored. */
  sealed: unknown;
}

interface ResponseRow {
  key: string;
  request_hash: string;
  status: number | string;
  body: string;
  headers_json: string;
  seal: string | null;
}

/** What a stored response's seal covers: every stored byte that reaches the client. */
export const responseSealed = (row: Omit<ResponseRow, 'seal'>) => ({
  key: row.key,
  request_hash: row.request_hash,
  status: Number(row.status),
  body: row.body,
  headers_json: row.headers_json,
});

const COLUMNS = 'key, request_hash, status, body, headers_json, seal';

export const upgradeIdempotencyKeys = async (db: SqlExecutor, seal: RowSealer): Promise<void> => {
  if (await addColumnIfMissing(db, 'idempotency_keys', 'seal', 'TEXT')) await resealResponses(db, seal);
};

/** Seals every stored response again with `seal` (adopting signing keys: see reseal.ts). */
export const resealResponses = async (db: SqlExecutor, seal: RowSealer): Promise<void> => {
  for (const row of await db.all<ResponseRow>(`SELECT ${COLUMNS} FROM idempotency_keys WHERE status <> 0`)) {
    await db.run('UPDATE idempotency_keys SET seal = $1 WHERE key = $2', [seal(responseSealed(row)), row.key]);
  }
};

/** The recorded response to a key, unless the key is older than `notBeforeMs` (expired). */
export const readIdempotentResponse = async (
  db: SqlExecutor,
  key: string,
  notBeforeMs: number,
): Promise<SealedResponse | undefined> => {
  const row = await db.get<ResponseRow>(`SELECT ${COLUMNS} FROM idempotency_keys WHERE key = $1 AND created_at_ms >= $2`, [
    key,
    notBeforeMs,
  ]);
  if (!row) return undefined;
  return {
    request_hash: row.request_hash,
    status: Number(row.status),
    body: row.body,
    headers: JSON.parse(row.headers_json) as Record<string, string>,
    seal: row.seal,
    sealed: responseSealed(row),
  };
};

/** Every recorded response with what its seal covers (for `verify`). */
export const readAllSealedResponses = async (db: SqlExecutor): Promise<{ key: string; seal: string | null; sealed: unknown }[]> =>
  (await db.all<ResponseRow>(`SELECT ${COLUMNS} FROM idempotency_keys WHERE status <> 0 ORDER BY key`)).map((row) => ({
    key: row.key,
    seal: row.seal,
    sealed: responseSealed(row),
  }));

/** Takes the key for a write about to run (before anything is decided); false when another write holds it. */
export const claimIdempotencyKey = async (
  tx: SqlExecutor,
  key: string,
  requestHash: string,
  nowMs: number,
  notBeforeMs: number,
): Promise<boolean> => {
  await tx.run('DELETE FROM idempotency_keys WHERE key = $1 AND created_at_ms < $2', [key, notBeforeMs]);
  return (await tx.run(
    `INSERT INTO idempotency_keys (key, request_hash, status, body, headers_json, created_at_ms) VALUES ($1, $2, 0, '', '{}', $3)
     ON CONFLICT (key) DO NOTHING`,
    [key, requestHash, nowMs],
  )) > 0;
};

/**
 * Forgets every key older than `notBeforeMs`, so that the table cannot grow without bound. A scan
 * (no index, so the schema stays as it was): it runs at most once a minute and the table holds one TTL of keys.
 */
export const purgeExpiredIdempotencyKeys = async (tx: SqlExecutor, notBeforeMs: number): Promise<number> =>
  tx.run('DELETE FROM idempotency_keys WHERE created_at_ms < $1', [notBeforeMs]);

/** Records the response of the write that claimed the key, in its transaction, sealed. */
export const recordIdempotentResponse = async (
  tx: SqlExecutor,
  key: string,
  response: StoredResponse,
  seal: RowSealer,
): Promise<void> => {
  const headersJson = JSON.stringify(response.headers);
  const sealed = responseSealed({ key, request_hash: response.request_hash, status: response.status, body: response.body, headers_json: headersJson });
  await tx.run('UPDATE idempotency_keys SET status = $1, body = $2, headers_json = $3, seal = $4 WHERE key = $5', [
    response.status,
    response.body,
    headersJson,
    seal(sealed),
    key,
  ]);
};
