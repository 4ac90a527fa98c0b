import { describe } from 'vitest';
import { postgresAvailable, postgresSkipReason } from './postgres.js';
import type { Backend } from './test-store.js';

/**
 * Declares a suite once per backend (`%s` in the title names it). Without a reachable PostgreSQL
 * its copy is still declared, as skipped with the reason in its name, so it never silently vanishes.
 */
export const describeEachBackend = (title: string, factory: (backend: Backend) => void): void => {
  describe(title.replace('%s', 'sqlite'), () => factory('sqlite'));
  const postgresTitle = title.replace('%s', 'postgres');
  const shownTitle = postgresAvailable ? postgresTitle : `${postgresTitle} [skipped: ${postgresSkipReason}]`;
  describe.skipIf(!postgresAvailable)(shownTitle, () => factory('postgres'));
};
