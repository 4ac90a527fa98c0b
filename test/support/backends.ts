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

/** Declares a suite once per backend (`%s` in the title names it); see describeOnPostgres. */
export const describeEachBackend = (title: string, factory: (backend: Backend) => void): void => {
  describe(title.replace('%s', 'sqlite'), () => factory('sqlite'));
  describeOnPostgres(title.replace('%s', 'postgres'), () => factory('postgres'));
};
