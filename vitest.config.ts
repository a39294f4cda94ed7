import { defineConfig } from 'vitest/config'

// Two projects: `unit` (pure code, simulator and scenario tests: no processes, sockets or
// timers) runs in parallel threads; `integration` starts real processes over real sockets, so its
// files run one at a time to keep a 2-core machine from starving the clusters under test.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/{unit,scenarios,sim,lint}/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
