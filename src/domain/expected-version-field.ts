import { z } from 'zod';
import { invalidExpectedVersion } from './errors.js';

/** `expected_version`: an integer ≥ 0 (a number in a body, digits in a query); 0 or absent means no check. */
export const parseExpectedVersion = (raw: unknown): number | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalidExpectedVersion();
  return value;
};

/**
 * `expected_version` of a body: taken as sent, parsed by `parseExpectedVersion` (400
 * invalid-expected-version), handed on as a number or undefined; the JSON Schema says what it accepts.
 */
export const expectedVersionField = z
  .unknown()
  .optional()
  .transform(parseExpectedVersion)
  .meta({ type: 'integer', minimum: 0, description: 'the version the change expects (absent or 0: no check)' });
