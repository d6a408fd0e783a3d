import type { IngestBudget } from '../../lib/local/ingest-budget.ts';

/**
 * The ingest budget of every local stack a test asserts outcomes on: generous enough that a 2-core
 * machine busy with the rest of the suite (or anything else) still answers 200, since such a test is
 * about what the relay does, not how fast this machine is. With the deployed budget (500 ms per
 * attempt, 1.2 s in all) a busy machine answered `503 unavailable` to poison-messages.test.ts,
 * provider-throttling.test.ts and sqs-outage.test.ts. The deployed budget is proven on its own, with a
 * fake SQS that hangs the attempts it is told to (test/integration/ingest-budget.test.ts).
 */
export const LOADED_MACHINE_INGEST_BUDGET: IngestBudget = {
  connectionTimeoutMs: 5_000,
  attemptTimeoutMs: 10_000,
  maxAttempts: 3,
  deadlineMs: 30_000,
};
