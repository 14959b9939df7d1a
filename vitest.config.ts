import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: a few files at a time keeps Postgres, Redis and the child processes responsive.
    maxWorkers: 3,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
