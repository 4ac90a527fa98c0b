import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.js';
import { idempotencyConflict, storedResponseDamaged } from '../domain/errors.js';
import type { StoreCommand } from '../events/commands.js';
import { readIdempotentResponse, type SealedResponse } from '../projections/idempotency-store.js';
import { checkSeal } from '../domain/row-seal.js';
import type { WriteResult } from '../use-cases/write-result.js';
import type { RegistryStore } from '../use-cases/registry-store.js';
import type { WriteAnswer } from '../use-cases/keyed-write.js';
import { commandContext } from './request-input.js';
import type { WriteHeaders } from './schemas/headers.js';

export type { WriteAnswer } from '../use-cases/keyed-write.js';

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired keys are deleted by a keyed write at most this often. */
const PURGE_EVERY_MS = 60_000;
const lastPurge = new WeakMap<object, number>();

/** A request whose route declared `writeHeaders` (or `guardedWriteHeaders`): `Idempotency-Key` and `X-Actor` come parsed. */
export type WriteRequest = FastifyRequest & { headers: WriteHeaders };

const idempotencyKey = (request: WriteRequest): string | undefined => {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  // keys belong to their caller: another token's same key is another key (token names hold no `/`)
  return request.caller ? `token:${request.caller.name}/${key}` : key;
};

const requestHash = (request: WriteRequest): string =>
  sha256Hex(canonicalJson({ method: request.method, url: request.url, body: request.body ?? null }));

const send = (reply: FastifyReply, answer: WriteAnswer): FastifyReply => {
  reply.headers(answer.headers ?? {});
  if (answer.body === undefined) return reply.status(answer.status).send();
  return reply.status(answer.status).type('application/json; charset=utf-8').send(answer.body);
};

const replay = async (store: RegistryStore, reply: FastifyReply, stored: SealedResponse, hash: string): Promise<FastifyReply> => {
  const check = checkSeal(store.signingKeys, stored.seal, stored.sealed);
  if (check !== 'ok') {
    // an edited stored response must never reach a client: refuse, and say so in the log
    reply.log.error({ seal: check }, 'stored idempotent response failed its integrity check');
    throw storedResponseDamaged(check);
  }
  if (stored.request_hash !== hash) {
    throw idempotencyConflict();
  }
  // the first answer may still be waiting out PostgreSQL's read lease: this one waits as long
  await store.db.settleBeforeAcknowledging?.();
  reply.header('idempotent-replayed', 'true');
  return send(reply, { status: stored.status, body: stored.status === 204 ? undefined : stored.body, headers: stored.headers });
};

/**
 * Runs a write and sends its answer. With an `Idempotency-Key`, the answer is recorded in the
 * write's own transaction; a retry with the same key and request gets it back and appends
 * nothing, the same key with another request gets 422.
 */
export const executeWrite = async (
  store: RegistryStore,
  request: WriteRequest,
  reply: FastifyReply,
  /** Builds the command once the request is known not to be a replay (preconditions are checked here). */
  build: () => StoreCommand | Promise<StoreCommand>,
  answer: (result: WriteResult) => WriteAnswer,
): Promise<FastifyReply> => {
  const key = idempotencyKey(request);
  if (key === undefined) {
    const { rendered } = await store.execute(await build(), commandContext(request));
    return send(reply, answer(rendered));
  }
  const hash = requestHash(request);
  const now = Date.now();
  const ttl = request.server.idempotencyTtlMs;
  const purge = now - (lastPurge.get(store) ?? 0) >= Math.min(PURGE_EVERY_MS, ttl);
  const notBefore = now - ttl;
  if (purge) lastPurge.set(store, now);
  const earlier = await readIdempotentResponse(store.db, key, notBefore);
  if (earlier) return replay(store, reply, earlier, hash);
  let sent: WriteAnswer | undefined;
  try {
    await store.execute(await build(), commandContext(request), {
      key,
      hash,
      nowMs: now,
      notBeforeMs: notBefore,
      purge,
      answer: (rendered) => (sent = answer(rendered)),
    });
  } catch (error) {
    // a retry racing this one may have written first (then this one failed or found the key taken)
    const winner = await readIdempotentResponse(store.db, key, notBefore);
    if (winner) return replay(store, reply, winner, hash);
    throw error;
  }
  return send(reply, sent as WriteAnswer);
};
