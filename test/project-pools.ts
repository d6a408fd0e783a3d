import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * How the vitest projects run their files (vitest.config.ts). Vitest's default is one worker less than
 * the machine's cores: on a 2-core machine that is one file at a time, 63 files one after the other,
 * while most of the time of the integration and reliability files goes to waiting (visibility timeouts,
 * long polls, retries), not to the CPU. All projects form one group (vitest runs groups one after the
 * other, and a group has one worker count), so that the files that mostly wait run beside the ones that
 * compute.
 *
 * - unit and infra are CPU-bound: one module graph per worker (`isolate: false`), so that aws-cdk-lib,
 *   the SDK and zod are imported once per worker instead of once per file. Their files share no state:
 *   every test builds its own app, handler or client. Unit tests run in threads (cheaper to start than
 *   processes); infra in processes, as CDK bundles the policy asset with spawnSync, which cannot hand a
 *   worker thread's stdio to a child.
 * - integration and reliability each file in a process of its own (`forks`: aws-ses-v2-local keeps one
 *   store per process, and the files start servers). Their local stacks get a budget that fits a busy
 *   machine (test/support/ingest-budget.ts), so running them beside other files makes them slower,
 *   never red.
 */
export const MAX_WORKERS = 4;

export const PROJECT_POOLS = {
  // The default 5 s per test is a clock a busy machine can reach (a few unit tests run thousands of cases).
  unit: { pool: 'threads', isolate: false, testTimeout: 30_000 },
  infra: { pool: 'forks', isolate: false },
  integration: { pool: 'forks' },
  reliability: { pool: 'forks' },
  // One Chromium per file, driving a local stack of its own.
  browser: { pool: 'forks' },
} as const;

/** Which project's files start first: the ones that mostly wait, longest first, so that they overlap the rest. */
const PROJECT_ORDER = ['reliability', 'integration', 'browser', 'infra', 'unit'];

/**
 * Vitest's own order (failed first, then the longest or largest), but projects in PROJECT_ORDER rather
 * than alphabetically: the reliability files take the longest, waiting, and would otherwise start last.
 */
export class WaitingFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = PROJECT_ORDER.indexOf(spec.project.name);
      return index === -1 ? PROJECT_ORDER.length : index;
    };
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
