import { defineConfig } from 'vitest/config';

// Two projects: `main` runs everything in parallel; `timing` holds the tests whose assertions are
// time tolerances (e.g. measured RTO within one probe interval + 10 ms) and runs alone afterwards
// (`npm test` runs both, in that order), so that parallel drills cannot starve its event loop.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/**/*.timing.int.test.ts'],
          fileParallelism: true,
          maxWorkers: 4,
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: ['test/**/*.timing.int.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
