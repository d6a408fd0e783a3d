import { defineConfig } from 'vitest/config';
import { MAX_WORKERS, PROJECT_POOLS, WaitingFirstSequencer } from './test/project-pools.ts';

export default defineConfig({
  test: {
    maxWorkers: MAX_WORKERS,
    sequence: { sequencer: WaitingFirstSequencer },
    // Handlers log and count through Powertools; keep test output to what matters (metrics tests switch EMF back on).
    env: {
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          ...PROJECT_POOLS.unit,
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          ...PROJECT_POOLS.integration,
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          // Backstops for a hang, not clocks to race: a test waits for outcomes, and a busy machine only slows it.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // Each file starts its own emulators and local stack (some stop or front one of them). The relay
          // logs every throttle, poison message and 503 these tests cause on purpose: they assert on counts.
          name: 'reliability',
          ...PROJECT_POOLS.reliability,
          include: ['test/reliability/**/*.test.ts'],
          environment: 'node',
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The local console in a real Chromium (Debian's package, installed by .ci/run), driven by playwright-core.
          name: 'browser',
          ...PROJECT_POOLS.browser,
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          ...PROJECT_POOLS.infra,
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
    ],
  },
});
