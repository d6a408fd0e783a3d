import * as z from 'zod/mini';
import { createSecretsManagerClient } from '../shared/clients/secrets-manager.ts';
import { readEnv } from '../shared/env.ts';
import { secretCredentialStore } from '../shared/secret-credential-store.ts';
import { signedSecretSource } from '../shared/signed-secret-source.ts';
import { createWebhookAuthorizer } from './webhook-authorizer.ts';

const env = readEnv({ WEBHOOK_SECRET_ARN: z.string().check(z.minLength(1)) });

/** Lambda entry point: the webhook routes' authorizer with `ingest: "direct"`, checking Basic Auth against the webhook secret. */
export const handler = createWebhookAuthorizer({
  credentials: secretCredentialStore({
    // One signed GetSecretValue per refresh: no SDK client in this function at all.
    source: signedSecretSource({ client: createSecretsManagerClient() }),
    secretId: env.WEBHOOK_SECRET_ARN,
  }),
});
