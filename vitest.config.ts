import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/scale/**'],
          // Collects the figures of test/reliability and prints them (and writes docs/reliability.md) at the end.
          globalSetup: ['test/reliability/global-setup.ts'],
        },
      },
      {
        // Multi-process timing on Redis (docs/scaling.md): `npm test` runs it after the unit project, one file
        // at a time, so the fleet's 4 workers do not compete with the rest of the suite for the CPU.
        extends: true,
        test: {
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
