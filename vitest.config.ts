import { defineConfig } from 'vitest/config';

// Three projects: `main` runs everything in parallel; `docker` the drills on containers (a real
// engine), two at a time; `timing` holds the tests whose assertions are
// time tolerances (e.g. measured RTO within one probe interval + 10 ms) and runs alone afterwards
// (`npm test` runs them in that order), so that parallel drills cannot starve its event loop.
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
          exclude: ['**/node_modules/**', 'test/**/*.timing.int.test.ts', 'test/**/*.docker.int.test.ts'],
          fileParallelism: true,
          maxWorkers: 4,
        },
      },
      {
        // Drills on containers: a real Docker engine (started by .ci/run), two at a time.
        extends: true,
        test: {
          name: 'docker',
          include: ['test/**/*.docker.int.test.ts'],
          fileParallelism: true,
          maxWorkers: 2,
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
