import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod';
import { CHANNELS } from '../shared/channels.ts';
import { createIngestSqsClient } from '../shared/clients/sqs.ts';
import { WEBHOOK_HTTP_TIMEOUTS } from '../shared/clients/webhook-budget.ts';
import { readEnv } from '../shared/env.ts';
import { secretCredentialStore } from '../shared/secret-credential-store.ts';
import { sqsNotificationQueue } from '../shared/sqs-notification-queue.ts';
import { createIngestHandler } from './ingest-webhook.ts';
import { webhookRoute } from './webhook-routes.ts';

const env = readEnv({
  CHANNEL: z.enum(CHANNELS),
  QUEUE_URL: z.url(),
  WEBHOOK_SECRET_ARN: z.string().min(1),
  COMETCHAT_APP_ID: z.string().default(''),
  MAX_BODY_BYTES: z.coerce.number().int().positive(),
});

/** Lambda entry point: the ingest handler wired to SQS and Secrets Manager. */
export const handler = createIngestHandler({
  route: webhookRoute(env.CHANNEL),
  credentials: secretCredentialStore({
    client: new SecretsManagerClient({ maxAttempts: 2, requestHandler: new NodeHttpHandler(WEBHOOK_HTTP_TIMEOUTS) }),
    secretId: env.WEBHOOK_SECRET_ARN,
  }),
  queue: sqsNotificationQueue({ client: createIngestSqsClient(), queueUrl: env.QUEUE_URL }),
  appId: env.COMETCHAT_APP_ID || undefined,
  maxBodyBytes: env.MAX_BODY_BYTES,
});
