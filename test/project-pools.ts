/**
 * How each vitest project runs its files (spread into vitest.config.ts). Vitest's default is one worker
 * less than the machine's cores: on a 2-core machine that is one file at a time, 63 files one after the
 * other, while most of the time of the integration and reliability files goes to waiting (visibility
 * timeouts, long polls, retries), not to the CPU.
 *
 * - unit and infra are CPU-bound: two workers, each with one module graph (`isolate: false`), so that
 *   aws-cdk-lib, the SDK and zod are imported once per worker instead of once per file. Their files share
 *   no state: every test builds its own app, handler or client. Unit tests run in threads (cheaper to
 *   start than processes).
 * - integration and reliability mostly wait: more files at once than cores, each in a process of its own
 *   (`forks`: aws-ses-v2-local keeps one store per process, and the files start servers). Their local
 *   stacks get a budget that fits a busy machine (test/support/ingest-budget.ts), so running them side
 *   by side makes them slower, never red.
 */
export const PROJECT_POOLS = {
  unit: { pool: 'threads', isolate: false, maxWorkers: 2 },
  // Processes: CDK bundles the policy asset with spawnSync, which cannot hand a worker thread's stdio to a child.
  infra: { pool: 'forks', isolate: false, maxWorkers: 2 },
  integration: { pool: 'forks', maxWorkers: 4 },
  reliability: { pool: 'forks', maxWorkers: 3 },
} as const;
