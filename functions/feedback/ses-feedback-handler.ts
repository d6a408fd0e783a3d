import * as z from 'zod';
import { createDocumentClient } from '../shared/clients/dynamodb.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { createSesFeedbackConsumer } from './ses-feedback-consumer.ts';

const env = readEnv({ DIRECTORY_TABLE: z.string().min(1) });

/**
 * Lambda entry point: the SES feedback queue's consumer (bounces and
 * complaints from the configuration set's SNS topic) marking contacts in the
 * DynamoDB directory. Needs dynamodb:GetItem and dynamodb:UpdateItem on the
 * directory table, and an SQS event source with reportBatchItemFailures.
 */
export const handler = createSesFeedbackConsumer({
  directory: new DynamoDbDirectory({ client: createDocumentClient({ maxAttempts: 3 }), tableName: env.DIRECTORY_TABLE }),
});
