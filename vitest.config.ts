import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests bind loopback ports and spawn real clients; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    // Transition coverage: each file saves what it recorded, the run prints the union.
    setupFiles: ['test/support/coverage-setup.ts'],
    globalSetup: ['test/support/coverage-report.ts'],
  },
});
