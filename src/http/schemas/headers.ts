import { z } from 'zod';
import { validationError } from '../../domain/errors.js';

/**
 * The request headers of the writes, declared once and parsed by the route's schema like any
 * parameter: a write route's `headers` is one of the objects below, /openapi.json shows each
 * header with its rule, a value outside it is refused with 400 before the handler runs, and the
 * write helpers take the parsed values (their types require the route to have declared them).
 */

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const MAX_ACTOR_LENGTH = 256;

/** `X-Actor`: trimmed; empty is not given; longer than MAX_ACTOR_LENGTH is refused. */
const actorHeader = z
  .string()
  .optional()
  .transform((raw) => {
    const named = raw?.trim();
    if (named !== undefined && named.length > MAX_ACTOR_LENGTH) throw validationError('X-Actor', `at most ${MAX_ACTOR_LENGTH} characters`);
    return named || undefined;
  })
  .meta({
    description: 'who the write is for: the actor recorded without auth; with auth, an admin\'s is recorded as `on_behalf_of` (others\' is ignored)',
    maxLength: MAX_ACTOR_LENGTH,
  });

/** `Idempotency-Key`: trimmed, 1 to MAX_IDEMPOTENCY_KEY_LENGTH characters. */
const idempotencyKeyHeader = z
  .string()
  .optional()
  .transform((raw) => {
    const key = raw?.trim();
    if (key !== undefined && (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      throw validationError('Idempotency-Key', `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    return key;
  })
  .meta({
    description: 'a retry with the same key and request gets the first answer back (header `idempotent-replayed: true`) and writes nothing; the same key with another request is refused with 422',
    minLength: 1,
    maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
  });

/**
 * `If-Match`: a list of ETags (or `*`), as the tags it names; 412 unless one names the current
 * ETag (a tag that names none, malformed or not, is a failed precondition, not a bad request).
 */
const ifMatchHeader = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined ? undefined : raw.split(',').map((tag) => tag.trim())))
  .meta({ description: 'ETags (comma-separated) or `*`: the write is refused with 412 unless one names the current ETag' });

/** A write attributed to its caller (restores, imports). */
export const actorHeaders = z.looseObject({ 'x-actor': actorHeader });
/** A write that may be retried (`executeWrite`). */
export const writeHeaders = actorHeaders.extend({ 'idempotency-key': idempotencyKeyHeader });
/** A write of an existing resource, which `If-Match` may guard (`executeGuardedWrite`). */
export const guardedWriteHeaders = writeHeaders.extend({ 'if-match': ifMatchHeader });

export type ActorHeaders = z.output<typeof actorHeaders>;
export type WriteHeaders = z.output<typeof writeHeaders>;
export type GuardedWriteHeaders = z.output<typeof guardedWriteHeaders>;
