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
 * A version in a body as the JSON Schema shows what its parser accepts: an integer of at least
 * `minimum`, or the same integer written as digits (surrounding spaces ignored), as clients that
 * copy it from a query or a header send it.
 */
export const versionInBody = (minimum: number, description: string, alsoEmpty = false) => ({
  anyOf: [
    { type: 'integer', minimum },
    { type: 'string', pattern: alsoEmpty ? '^\\s*\\d*\\s*$' : '^\\s*\\d+\\s*$', description: `digits${alsoEmpty ? ' (empty: absent)' : ''}` },
    ...(alsoEmpty ? [{ type: 'null', description: 'absent' }] : []),
  ],
  description,
});

/**
 * `expected_version` of a body: taken as sent, parsed by `parseExpectedVersion` (400
 * invalid-expected-version), handed on as a number or undefined; the JSON Schema says what it accepts.
 */
export const expectedVersionField = z
  .unknown()
  .optional()
  .transform(parseExpectedVersion)
  .meta(versionInBody(0, 'integer ≥ 0 (or its digits): the version the change expects (absent or 0: no check)', true));
