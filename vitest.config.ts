import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tests that run the CLI several times need more than 30 s on a loaded 2-core machine
    testTimeout: 120_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/build-dist.ts', 'test/support/secret-leak-check.ts'],
    setupFiles: ['test/support/kill-children.ts', 'test/support/record-transcript.ts', 'test/support/map-equality.ts'],
  },
});
