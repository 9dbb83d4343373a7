import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests start real servers and real stores; give them room, but never rely on timing for assertions.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CI reads the JSON report (.ci/run prints "N passed, N failed" from it).
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
