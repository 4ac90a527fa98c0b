import type { FastifyReply, FastifyRequest } from 'fastify';
import { conflictAsPreconditionFailure, DomainError, ifMatchFailed } from '../domain/errors.js';
import type { Command } from '../events/commands.js';
import type { WriteResult } from '../use-cases/write-result.js';
import type { RegistryStore } from '../use-cases/registry-store.js';
import { executeWrite, type WriteAnswer } from './idempotent-write.js';
import type { GuardedWriteHeaders } from './schemas/headers.js';
import type { CachedRead } from '../projections/read-model.js';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const matches = (list: string, etag: string): boolean =>
  list === etag ||
  list
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag);

/** Sends the stored JSON with its ETag, or 304 when the client's copy is current. */
export const sendJsonWithEtag = (request: FastifyRequest, reply: FastifyReply, json: string | Buffer, etag: string, status = 200) => {
  reply.header('etag', etag);
  const ifNoneMatch = header(request, 'if-none-match');
  if (status === 200 && ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) {
    return reply.status(304).send();
  }
  return reply.status(status).type('application/json; charset=utf-8').send(json);
};

/** A request whose route declared `guardedWriteHeaders`: `If-Match` comes parsed into the tags it names. */
export type GuardedWriteRequest = FastifyRequest & { headers: GuardedWriteHeaders };

/**
 * `If-Match` (its tags) on a write: 412 unless one names the current ETag. Returns the version the
 * tag carries, so that the write also checks it atomically (ETags are `"<version>-<digest>"`).
 */
const checkIfMatch = (ifMatch: readonly string[], currentEtag: string | undefined): number | undefined => {
  if (currentEtag === undefined || !ifMatch.some((tag) => tag === '*' || tag === currentEtag)) {
    throw ifMatchFailed();
  }
  const version = /^"(\d+)-/.exec(currentEtag)?.[1];
  return version === undefined ? undefined : Number(version);
};

/** A version conflict on a write guarded by If-Match answers 412, not 409. */
const asPreconditionFailure = (error: unknown, guardedByIfMatch: boolean): unknown =>
  guardedByIfMatch && error instanceof DomainError && error.code === 'version_conflict'
    ? conflictAsPreconditionFailure(error)
    : error;

/**
 * Runs a write through `executeWrite`, guarded by `If-Match` when the request sends one: 412
 * unless it names the current ETag, and the version of that resource is then checked again by
 * the write itself, atomically (a conflict there answers 412 too).
 */
export const executeGuardedWrite = (
  store: RegistryStore,
  request: GuardedWriteRequest,
  reply: FastifyReply,
  current: () => CachedRead<{ etag: string; version: number } | undefined>,
  build: (ifMatchVersion: number | undefined) => Command,
  answer: (result: WriteResult) => WriteAnswer,
): Promise<FastifyReply> => {
  let ifMatchVersion: number | undefined;
  const guarded = async () => {
    const ifMatch = request.headers['if-match'];
    if (ifMatch !== undefined) {
      const resource = await current();
      checkIfMatch(ifMatch, resource?.etag);
      ifMatchVersion = resource?.version;
    }
    return build(ifMatchVersion);
  };
  return executeWrite(store, request, reply, guarded, answer).catch((error: unknown) => {
    throw asPreconditionFailure(error, ifMatchVersion !== undefined);
  });
};
