import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          // Vitest runs this group before the sequential integration files, so its wall time is on
          // CI's critical path: both cores, not vitest's default of one worker on a 2-core machine.
          maxWorkers: 2,
        },
      },
      {
        // Real processes, real databases, real browsers: one file at a time on a 2-core machine.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
          // Signalling through Kamailio, rtpengine and Chromium takes more than vitest's default 1 s
          // on a loaded 2-core machine; a poll still fails fast when the state never comes.
          expect: { poll: { timeout: 10_000, interval: 100 } },
        },
      },
    ],
  },
});
