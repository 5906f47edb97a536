import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (fast, no outside parts), `integration` (the real Docker engine and the
 * built CLI), `e2e` (real Chromium against `aigo serve`). Docker and Chromium tests skip with a
 * printed reason on a machine without them, and fail instead under CI=true.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          // Several files start whole apps; a slow CI machine must not time them out.
          testTimeout: 20_000,
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          expect: { poll: { timeout: 10_000, interval: 50 } },
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          expect: { poll: { timeout: 10_000, interval: 50 } },
          include: ['e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
