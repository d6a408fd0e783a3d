import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { createDocumentClient } from '../shared/clients/dynamodb.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { snsPlatformEndpoints } from '../shared/sns-platform-endpoints.ts';
import { createPushFeedbackConsumer } from './push-feedback-consumer.ts';

const env = readEnv({ DIRECTORY_TABLE: z.string().min(1) });

/**
 * Lambda entry point: the push feedback queue's consumer (EventEndpointUpdated
 * and EventDeliveryFailure of the platform applications) removing dead devices
 * from the DynamoDB directory. Needs sns:GetEndpointAttributes on the
 * applications' endpoints, dynamodb:Query on the directory's byToken index,
 * dynamodb:GetItem and dynamodb:DeleteItem on the table, and an SQS event
 * source with reportBatchItemFailures.
 */
export const handler = createPushFeedbackConsumer({
  directory: new DynamoDbDirectory({ client: createDocumentClient({ maxAttempts: 3 }), tableName: env.DIRECTORY_TABLE }),
  endpoints: snsPlatformEndpoints(new SNSClient({ maxAttempts: 3 })),
});
