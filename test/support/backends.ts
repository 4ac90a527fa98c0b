import { describe } from 'vitest';
import { postgresAvailable, postgresSkipReason } from './postgres.js';
import type { Backend } from './test-store.js';

/**
 * Declares a suite that needs PostgreSQL. Without a reachable PostgreSQL it is still declared, as
 * skipped with the reason in its name, so it never silently vanishes.
 */
export const describeOnPostgres = (title: string, factory: () => void): void => {
  const shownTitle = postgresAvailable ? title : `${title} [skipped: ${postgresSkipReason}]`;
  describe.skipIf(!postgresAvailable)(shownTitle, factory);
};

/** `npm run test:unit` (vitest.unit.config.ts): the fast loop runs the in-memory suites only. */
export const UNIT_RUN = process.env.PROFILE_REGISTRY_TEST_UNIT === '1';
const UNIT_SKIP_REASON = 'database suites run in `npm test`, not in `npm run test:unit`';

/** Declares a suite once per backend (`%s` in the title names it); see describeOnPostgres. In a unit run they are declared skipped, with the reason. */
export const describeEachBackend = (title: string, factory: (backend: Backend) => void): void => {
  if (UNIT_RUN) {
    describe.skipIf(true)(`${title.replace('%s', 'sqlite and postgres')} [skipped: ${UNIT_SKIP_REASON}]`, () => undefined);
    return;
  }
  describe(title.replace('%s', 'sqlite'), () => factory('sqlite'));
  describeOnPostgres(title.replace('%s', 'postgres'), () => factory('postgres'));
};
