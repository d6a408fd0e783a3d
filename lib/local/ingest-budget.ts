import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsJsonClient } from '../../functions/shared/clients/aws-json-client.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { WEBHOOK_HTTP_TIMEOUTS } from '../../functions/shared/clients/webhook-budget.ts';
import type { localClientConfig } from './local-aws.ts';

/**
 * The ingest path's SQS budget. Each setting left out keeps the deployed one: 300 ms to connect and
 * 500 ms per attempt (functions/shared/clients/webhook-budget.ts), 3 attempts (clients/sqs.ts), 1.2 s in
 * all (sqs-notification-queue.ts). Only tests set it: a test that asserts outcomes while the machine is
 * busy gives the stack a budget that fits a busy machine (test/support/ingest-budget.ts), and the
 * deployed budget has a deterministic test of its own (test/integration/ingest-budget.test.ts).
 */
export interface IngestBudget {
  readonly connectionTimeoutMs?: number;
  /** How long one SendMessage attempt may take before it is abandoned and retried. */
  readonly attemptTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** Overall deadline of one enqueue, retries included. */
  readonly deadlineMs?: number;
}

/**
 * The ingest SQS client of the local stack: the deployed one (functions/shared/clients/sqs.ts) with
 * `budget` applied, and a connection pool without a cap. Deployed, each Lambda instance serves one
 * request at a time, so every concurrent webhook has a connection of its own; here one process serves
 * them all through one client, and a capped pool (the SDK's default is 50 sockets) would make the 51st
 * concurrent SendMessage queue for a socket. That wait counts against the attempt's timeouts (both
 * timers start when the request is made, not when it gets a socket), so a burst at concurrency 100 saw
 * attempts abandoned at 500 ms that SQS had handled in a few milliseconds once they were sent.
 */
export const localIngestSqsClient = (config: ReturnType<typeof localClientConfig>, budget: IngestBudget = {}): AwsJsonClient =>
  createIngestSqsClient({
    ...config,
    ...(budget.maxAttempts === undefined ? {} : { maxAttempts: budget.maxAttempts }),
    requestHandler: new NodeHttpHandler({
      ...WEBHOOK_HTTP_TIMEOUTS,
      ...(budget.connectionTimeoutMs === undefined ? {} : { connectionTimeout: budget.connectionTimeoutMs }),
      ...(budget.attemptTimeoutMs === undefined ? {} : { requestTimeout: budget.attemptTimeoutMs }),
      httpAgent: { maxSockets: Number.POSITIVE_INFINITY },
    }),
  });
