import type { BurstRequest, BurstResult } from './burst-worker.ts';
import { AS_DEPLOYED, runWorker } from './worker.ts';

export type { BurstResult, BurstRun } from './burst-worker.ts';

/**
 * A 1,000-member group burst through the whole local stack (see burst-worker.ts),
 * in a process of its own; its load generator runs in a third process.
 */
export const measureBurst = ({
  requests = 1_000,
  connections = 100,
  runs = 5,
  warmupRequests = 1_000,
} = {}): Promise<BurstResult> =>
  runWorker<BurstRequest, BurstResult>(
    new URL('./burst-worker.ts', import.meta.url),
    { requests, connections, runs, warmupRequests },
    { env: AS_DEPLOYED, timeoutMs: 240_000 },
  );
