// The console's one way to the API: the package's typed client (profile-registry/client) on the
// page's own origin, with the session's bearer token. Errors arrive as its ProblemError
// (problem+json) or UnreachableError (no answer).
import { createClient } from '../../src/client/index.js';

export { ProblemError, UnreachableError } from '../../src/client/index.js';

let token: string | null = null;
export const setApiToken = (value: string | null): void => {
  token = value;
};

export const api = createClient({
  baseUrl: '',
  token: () => token ?? undefined,
  // every read is fresh: the console shows what the registry holds now
  fetch: (input, init) => fetch(input, { ...init, cache: 'no-store' }),
});

/** One message of a problem's `errors`, located by a JSON pointer. */
export interface FieldError {
  path: string;
  message: string;
}
