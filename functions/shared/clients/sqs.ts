import { type AwsJsonClient, type AwsJsonClientOptions, createAwsJsonClient, SQS_JSON } from './aws-json-client.ts';

/**
 * The SQS client of the ingest path: a signed JSON-protocol call with the webhook budget's timeouts and
 * three attempts, inside SqsNotificationQueue's overall deadline. Not the SDK's SQSClient: see
 * `createAwsJsonClient` for why.
 */
export const createIngestSqsClient = (overrides: Omit<AwsJsonClientOptions, 'service'> = {}): AwsJsonClient =>
  createAwsJsonClient({ service: SQS_JSON, ...overrides });
