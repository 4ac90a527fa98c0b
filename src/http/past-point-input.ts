import { validationError } from '../domain/errors.js';
import type { PastPoint } from '../projections/time-travel.js';

/** The past point a read names with `?version=N` or `?as_of=` (parsed by the route's schema), or undefined for the present. */
export const pastPointOf = ({ version, as_of: asOf }: { version?: number; as_of?: number }): PastPoint | undefined => {
  if (version !== undefined && asOf !== undefined) throw validationError('as_of', 'give either version or as_of, not both');
  if (version !== undefined) return { version };
  if (asOf !== undefined) return { atMs: asOf };
  return undefined;
};

/** A restore's target from its body (parsed by the route's schema): `to_version` or `as_of`, exactly one. */
export const restorePointOf = (toVersion: number | undefined, asOf: number | undefined): PastPoint => {
  if (toVersion !== undefined && asOf === undefined) return { version: toVersion };
  if (asOf !== undefined && toVersion === undefined) return { atMs: asOf };
  throw validationError('to_version', 'give exactly one of to_version and as_of');
};
