import * as z from 'zod/mini';
import { CHANNELS } from '../shared/channels.ts';
import { createSecretsManagerClient } from '../shared/clients/secrets-manager.ts';
import { createIngestSqsClient } from '../shared/clients/sqs.ts';
import { readEnv } from '../shared/env.ts';
import { secretCredentialStore } from '../shared/secret-credential-store.ts';
import { signedSecretSource } from '../shared/signed-secret-source.ts';
import { sqsNotificationQueue } from '../shared/sqs-notification-queue.ts';
import { createIngestHandler } from './ingest-webhook.ts';
import { webhookRoute } from './webhook-routes.ts';

const env = readEnv({
  CHANNEL: z.enum(CHANNELS),
  QUEUE_URL: z.url(),
  WEBHOOK_SECRET_ARN: z.string().check(z.minLength(1)),
  COMETCHAT_APP_ID: z._default(z.string(), ''),
  MAX_BODY_BYTES: z.pipe(z.coerce.number(), z.int().check(z.positive())),
});

/**
 * Signed JSON calls, not SDK clients: ingest makes one SendMessage per webhook and one GetSecretValue
 * per secret refresh, and the SDK's clients would be most of its bundle and its cold start.
 */
const sqs = createIngestSqsClient();

/** Lambda entry point: the ingest handler wired to SQS and Secrets Manager. */
export const handler = createIngestHandler({
  route: webhookRoute(env.CHANNEL),
  credentials: secretCredentialStore({
    source: signedSecretSource({ client: createSecretsManagerClient() }),
    secretId: env.WEBHOOK_SECRET_ARN,
  }),
  queue: sqsNotificationQueue({ client: sqs, queueUrl: env.QUEUE_URL }),
  appId: env.COMETCHAT_APP_ID || undefined,
  maxBodyBytes: env.MAX_BODY_BYTES,
});
