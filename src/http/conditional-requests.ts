import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const matches = (list: string, etag: string): boolean =>
  list
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag);

/** Sends the stored JSON with its ETag, or 304 when the client's copy is current. */
export const sendJsonWithEtag = (request: FastifyRequest, reply: FastifyReply, json: string, etag: string, status = 200) => {
  reply.header('etag', etag);
  const ifNoneMatch = header(request, 'if-none-match');
  if (status === 200 && ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) {
    return reply.status(304).send();
  }
  return reply.status(status).type('application/json; charset=utf-8').send(json);
};

/**
 * `If-Match` on a write: 412 unless it names the current ETag. Returns the version the tag
 * carries, so that the write also checks it atomically (ETags are `"<version>-<digest>"`).
 */
export const checkIfMatch = (request: FastifyRequest, currentEtag: string | undefined): number | undefined => {
  const ifMatch = header(request, 'if-match');
  if (ifMatch === undefined) return undefined;
  if (currentEtag === undefined || !matches(ifMatch, currentEtag)) {
    throw new DomainError('precondition_failed', 'the resource has changed (If-Match does not match the current ETag)');
  }
  const version = /^"(\d+)-/.exec(currentEtag)?.[1];
  return version === undefined ? undefined : Number(version);
};

/** A version conflict on a write guarded by If-Match answers 412, not 409. */
export const asPreconditionFailure = (error: unknown, guardedByIfMatch: boolean): unknown =>
  guardedByIfMatch && error instanceof DomainError && error.code === 'version_conflict'
    ? new DomainError('precondition_failed', error.message, { currentVersion: error.currentVersion })
    : error;

/** Runs a write; when If-Match guarded it (`ifMatchVersion` set), its version conflict answers 412. */
export const guardedWrite = async <T>(ifMatchVersion: number | undefined, write: () => Promise<T>): Promise<T> => {
  try {
    return await write();
  } catch (error) {
    throw asPreconditionFailure(error, ifMatchVersion !== undefined);
  }
};
