import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Timeouts sized for CometChat's 2-second answer budget: a connection that does
 * not open in 300 ms or a request that does not answer in 500 ms is retried,
 * and the caller's overall deadline (see SqsNotificationQueue) caps the rest.
 */
export const INGEST_HTTP_TIMEOUTS = { connectionTimeout: 300, requestTimeout: 500 } as const;

export const createIngestSqsClient = (overrides: SQSClientConfig = {}): SQSClient =>
  new SQSClient({
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler(INGEST_HTTP_TIMEOUTS),
    ...overrides,
  });
