import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { dynamoDbDeliveryLedger } from '../shared/dynamodb-delivery-ledger.ts';
import { readEnv } from '../shared/env.ts';
import { snsEventPublisher } from '../shared/sns-event-publisher.ts';
import { countEventOutcome } from './metrics.ts';
import { createEventsConsumer } from './publish-event.ts';

const env = readEnv({
  EVENTS_TOPIC_ARN: z.string().regex(/^arn:aws[\w-]*:sns:/, 'must be an SNS topic ARN'),
  DELIVERY_TABLE: z.string().min(1),
});

/** Lambda entry point: the events queue consumer wired to SNS and the DynamoDB delivery ledger. */
export const handler = createEventsConsumer({
  publisher: snsEventPublisher({ client: new SNSClient({}), topicArn: env.EVENTS_TOPIC_ARN }),
  ledger: dynamoDbDeliveryLedger({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: env.DELIVERY_TABLE,
  }),
  onOutcome: countEventOutcome,
});
