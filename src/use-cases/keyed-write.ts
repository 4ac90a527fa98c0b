import type { ExecuteOptions } from '../events/command-bus.js';
import type { SqlTransaction } from '../events/sql-database.js';
import type { RowSealer } from '../domain/row-seal.js';
import { claimIdempotencyKey, purgeExpiredIdempotencyKeys, recordIdempotentResponse } from '../projections/idempotency-store.js';
import type { WriteResult } from './write-result.js';

/** What a write route answers, decided from the write's result (recorded for an `Idempotency-Key`). */
export interface WriteAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A write with an `Idempotency-Key`: the key is claimed in the command's savepoint before deciding,
 * and the answer recorded there before commit.
 */
export interface KeyedWrite {
  key: string;
  /** The hash of the request (method, URL, body) the key was first used with. */
  hash: string;
  nowMs: number;
  /** Keys older than this are expired. */
  notBeforeMs: number;
  /** Whether this write also deletes every expired key. */
  purge: boolean;
}

/** Another request with the same key committed first (a race between retries). */
class IdempotencyKeyTaken extends Error {}

/** The bus's hooks that claim the key and record `answer(rendered)` with the write, in its savepoint. */
export const keyedWriteHooks = (
  write: KeyedWrite,
  seal: RowSealer,
  answer: (rendered: WriteResult) => WriteAnswer | Promise<WriteAnswer>,
): ExecuteOptions<WriteResult, SqlTransaction> => ({
  beforeDecide: async (tx) => {
    if (write.purge) await purgeExpiredIdempotencyKeys(tx, write.notBeforeMs);
    if (!(await claimIdempotencyKey(tx, write.key, write.hash, write.nowMs, write.notBeforeMs))) throw new IdempotencyKeyTaken();
  },
  beforeCommit: async (tx, outcome) => {
    const sent = await answer(outcome.rendered);
    const stored = { request_hash: write.hash, status: sent.status, body: sent.body ?? '', headers: sent.headers ?? {} };
    await recordIdempotentResponse(tx, write.key, stored, seal);
  },
});
