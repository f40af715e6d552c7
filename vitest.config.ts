import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  // `npm test` passes `--mode quick`: the reliability files run their quick counts (RELIABILITY_QUICK=1, see
  // docs/testing.md); `npm run test:full` and CI (.ci/run) run the full counts. Set here, in the main process, so
  // the workers and test/reliability/global-setup.ts see the same value.
  if (mode === 'quick') process.env.RELIABILITY_QUICK ??= '1';
  return {
    test: {
      testTimeout: 20_000,
      pool: 'forks',
      // Vitest's default (one worker fewer than the CPUs) runs files one at a time on 2 cores, while most of a
      // file's time is spent waiting (servers, timers): two workers took the unit project from 126 s to 75 s there.
      maxWorkers: Math.max(2, availableParallelism() - 1),
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
  };
});
