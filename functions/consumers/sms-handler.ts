import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { snsSmsSender } from '../shared/aws-senders.ts';
import { createDocumentClient } from '../shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { directIngestFromEnv } from './direct-ingest-env.ts';
import { sendLimitsFromEnv } from './send-limits.ts';
import { createSmsConsumer } from './channel-consumers.ts';

const env = readEnv({
  DIRECTORY_TABLE: z.string().min(1),
  DELIVERY_TABLE: z.string().min(1),
  SMS_SENDER_ID: z.string(),
  SMS_ORIGINATION_NUMBER: z.string(),
  SMS_MAX_PRICE: z.string(),
});
const dynamodb = createDocumentClient();

/** Lambda entry point: the SMS queue's consumer, delivering through SNS SMS. */
export const handler = createSmsConsumer({
  ...directIngestFromEnv(),
  ...sendLimitsFromEnv(),
  directory: new DynamoDbDirectory({ client: dynamodb, tableName: env.DIRECTORY_TABLE }),
  sender: snsSmsSender(new SNSClient({})),
  ledger: dynamoDbDeliveryLedger({ client: dynamodb, tableName: env.DELIVERY_TABLE }),
  options: {
    ...(env.SMS_SENDER_ID ? { senderId: env.SMS_SENDER_ID } : {}),
    ...(env.SMS_ORIGINATION_NUMBER ? { originationNumber: env.SMS_ORIGINATION_NUMBER } : {}),
    ...(env.SMS_MAX_PRICE ? { maxPrice: env.SMS_MAX_PRICE } : {}),
  },
});
