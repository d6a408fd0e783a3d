import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { snsPushSender } from '../shared/aws-senders.ts';
import { createDocumentClient } from '../shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { directIngestFromEnv } from './direct-ingest-env.ts';
import { sendLimitsFromEnv } from './send-limits.ts';
import { createPushConsumer } from './channel-consumers.ts';

const env = readEnv({ DIRECTORY_TABLE: z.string().min(1), DELIVERY_TABLE: z.string().min(1) });
const dynamodb = createDocumentClient();

/** Lambda entry point: the push queue's consumer, delivering through SNS platform endpoints. */
export const handler = createPushConsumer({
  ...directIngestFromEnv(),
  ...sendLimitsFromEnv(),
  directory: new DynamoDbDirectory({ client: dynamodb, tableName: env.DIRECTORY_TABLE }),
  sender: snsPushSender(new SNSClient({})),
  ledger: dynamoDbDeliveryLedger({ client: dynamodb, tableName: env.DELIVERY_TABLE }),
});
