import {defineConfig} from 'vitest/config'

// Fails the run when a test sends a packet anywhere but loopback or its own namespaces.
const GUARD = './test/helpers/stray-traffic-guard.ts'

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/no-skips-under-ci.ts'],
    projects: [
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts', 'test/commands/**/*.test.ts'], environment: 'node'}},
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: [GUARD],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: [GUARD],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
