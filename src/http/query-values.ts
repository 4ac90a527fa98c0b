import { validationError } from '../domain/errors.js';

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
