import { z } from 'zod';

/**
 * `expected_version`: taken as sent and checked by `parseExpectedVersion` (400 invalid-expected-version);
 * the JSON Schema says what it accepts.
 */
export const expectedVersionField = z
  .unknown()
  .optional()
  .meta({ type: 'integer', minimum: 0, description: 'the version the change expects (absent or 0: no check)' });
