import { defineConfig } from 'vitest/config';

/**
 * The fast loop, `npm run test:unit`: the domain, the decider's Given/When/Then specs, and the
 * command bus, projector and event-store contract on the in-memory store. No dist/ build, no
 * database (suites over SQLite or PostgreSQL are declared skipped, with the reason). `npm test`
 * (and CI) still runs everything.
 */
export default defineConfig({
  test: {
    include: [
      'test/domain/**/*.test.ts',
      'test/events/decide*.test.ts',
      'test/events/evolve-pure.test.ts',
      'test/events/forked-map.test.ts',
      'test/events/converge-import.test.ts',
      'test/events/event-store-contract.test.ts',
      'test/events/command-bus-rollback.test.ts',
      'test/projections/project-command.test.ts',
    ],
    // these read SQL text or SQLite's answers
    exclude: ['test/domain/json-splicing.test.ts'],
    env: { PROFILE_REGISTRY_TEST_UNIT: '1' },
    testTimeout: 30_000,
    // one worker per core, modules shared between files: most of a unit run is loading modules
    pool: 'threads',
    isolate: false,
    globalSetup: ['test/support/secret-leak-check.ts'],
    setupFiles: ['test/support/kill-children.ts', 'test/support/record-transcript.ts', 'test/support/map-equality.ts'],
  },
});
