import type { FastifyRequest } from 'fastify';
import { validationError } from '../domain/errors.js';
import { parseAsOf, parseVersionNumber } from '../domain/past-point.js';
import type { PastPoint } from '../projections/time-travel.js';
import { queryValue } from './request-input.js';

/** The past point a read names with `?version=N` or `?as_of=`, or undefined for the present. */
export const pastPointOf = (request: FastifyRequest): PastPoint | undefined => {
  const version = queryValue(request, 'version');
  const asOf = queryValue(request, 'as_of');
  if (version !== undefined && asOf !== undefined) throw validationError('as_of', 'give either version or as_of, not both');
  if (version !== undefined) return { version: parseVersionNumber(version) };
  if (asOf !== undefined) return { atMs: parseAsOf(asOf) };
  return undefined;
};

/** A restore's target from its body: `to_version` or `as_of`, exactly one. */
export const restorePointOf = (toVersion: unknown, asOf: unknown): PastPoint => {
  if ((toVersion === undefined) === (asOf === undefined)) throw validationError('to_version', 'give exactly one of to_version and as_of');
  return toVersion !== undefined ? { version: parseVersionNumber(toVersion, 'to_version') } : { atMs: parseAsOf(asOf) };
};
