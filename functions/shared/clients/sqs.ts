import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { WEBHOOK_HTTP_TIMEOUTS } from './webhook-budget.ts';

/** The SQS client of the ingest path: short timeouts, three attempts, inside SqsNotificationQueue's overall deadline. */
export const createIngestSqsClient = (overrides: SQSClientConfig = {}): SQSClient =>
  new SQSClient({
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler(WEBHOOK_HTTP_TIMEOUTS),
    ...overrides,
  });
