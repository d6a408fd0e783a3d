import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod';
import { WEBHOOK_HTTP_TIMEOUTS } from '../shared/clients/webhook-budget.ts';
import { readEnv } from '../shared/env.ts';
import { secretCredentialStore } from '../shared/secret-credential-store.ts';
import { signedSecretSource } from '../shared/signed-secret-source.ts';
import { createWebhookAuthorizer } from './webhook-authorizer.ts';

const env = readEnv({ WEBHOOK_SECRET_ARN: z.string().min(1) });

/** Lambda entry point: the webhook routes' authorizer with `ingest: "direct"`, checking Basic Auth against the webhook secret. */
export const handler = createWebhookAuthorizer({
  credentials: secretCredentialStore({
    // This function has no other SDK client: the Secrets Manager client only lends its stack to the one signed call.
    source: signedSecretSource({
      client: new SecretsManagerClient({ maxAttempts: 2, requestHandler: new NodeHttpHandler(WEBHOOK_HTTP_TIMEOUTS) }),
    }),
    secretId: env.WEBHOOK_SECRET_ARN,
  }),
});
