import { validationError } from './errors.js';

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `as_of`: an RFC 3339 time or epoch milliseconds, as epoch milliseconds. */
export const parseAsOf = (raw: unknown, field = 'as_of'): number => {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const ms = /^\d+$/.test(text) ? Number(text) : RFC_3339.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isSafeInteger(ms)) throw validationError(field, 'must be an RFC 3339 time or epoch milliseconds');
  return ms;
};

/** A version number: an integer ≥ 1 (a number, or digits in a query). */
export const parseVersionNumber = (raw: unknown, field = 'version'): number => {
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw validationError(field, 'must be an integer of at least 1');
  }
  return value;
};
