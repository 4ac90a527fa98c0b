import { DomainError, validationError } from '../domain/errors.js';

/** Parsers of query values (the route schemas in schemas/query.ts run them): each refusal names its parameter. */

/** An integer in [min, max]; empty: undefined. */
export const parseBoundedInt = (raw: string, field: string, min: number, max: number): number | undefined => {
  if (raw === '') return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw validationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
};

/** An event position; empty or absent: undefined. */
export const parsePosition = (raw: string | undefined, name: string): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  // positions are BIGINT on PostgreSQL: anything past a safe integer is no position this store can reach
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new DomainError('validation', `validation error (${name}): must be a position (an integer from 0 to 2^53-1)`, {
      errors: [{ path: name, message: 'must be a position (an integer from 0 to 2^53-1)' }],
    });
  }
  return value;
};

const MAX_WAIT_SECONDS = 60;

/** `wait`: seconds to long-poll, as milliseconds, at most a minute; empty: 0. */
export const parseWait = (raw: string): number => {
  if (raw === '') return 0;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new DomainError('validation', 'validation error (wait): must be a number of seconds ≥ 0', {
      errors: [{ path: 'wait', message: 'must be a number of seconds ≥ 0' }],
    });
  }
  return Math.min(seconds, MAX_WAIT_SECONDS) * 1000;
};
