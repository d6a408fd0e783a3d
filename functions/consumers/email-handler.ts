import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as z from 'zod';
import { sesEmailSender } from '../shared/aws-senders.ts';
import { createDocumentClient } from '../shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { directIngestFromEnv } from './direct-ingest-env.ts';
import { sendLimitsFromEnv } from './send-limits.ts';
import { createEmailConsumer } from './channel-consumers.ts';

const env = readEnv({
  DIRECTORY_TABLE: z.string().min(1),
  DELIVERY_TABLE: z.string().min(1),
  // Empty when the deployment has no sender yet: emails then wait in the DLQ (see deliver-email.ts).
  SENDER_EMAIL: z.union([z.literal(''), z.email()]),
  SES_CONFIGURATION_SET: z.string(),
});
const dynamodb = createDocumentClient();

/** Lambda entry point: the email queue's consumer, delivering through SES v2. */
export const handler = createEmailConsumer({
  ...directIngestFromEnv(),
  ...sendLimitsFromEnv(),
  directory: new DynamoDbDirectory({ client: dynamodb, tableName: env.DIRECTORY_TABLE }),
  sender: env.SENDER_EMAIL
    ? sesEmailSender({
        ses: new SESv2Client({}),
        from: env.SENDER_EMAIL,
        configurationSetName: env.SES_CONFIGURATION_SET || undefined,
      })
    : undefined,
  ledger: dynamoDbDeliveryLedger({ client: dynamodb, tableName: env.DELIVERY_TABLE }),
});
