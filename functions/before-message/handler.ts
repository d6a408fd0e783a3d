import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { createSecretsManagerClient } from '../shared/clients/secrets-manager.ts';
import { type CompiledPolicy, DEFAULT_POLICY, loadPolicyFile } from '../policy/policy-schema.ts';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/powertools.ts';
import { secretCredentialStore } from '../shared/secret-credential-store.ts';
import { signedSecretSource } from '../shared/signed-secret-source.ts';
import { createBeforeMessageHandler } from './before-message-webhook.ts';
import { countDecision, countPolicyError } from './metrics.ts';

const env = readEnv({
  WEBHOOK_SECRET_ARN: z.string().min(1),
  COMETCHAT_APP_ID: z.string().default(''),
  MAX_BODY_BYTES: z.coerce.number().int().positive(),
  /** The policy JSON bundled with the function, relative to the bundle root; absent: the default policy (everything passes). */
  POLICY_FILE: z.string().optional(),
});

/**
 * Loaded and validated at cold start: an invalid file fails the init (and
 * every request with it) instead of letting messages through unchecked while
 * looking healthy. CDK validates the same file at synth, so this is a backstop.
 */
const loadPolicy = (file: string | undefined): CompiledPolicy => {
  if (!file) return DEFAULT_POLICY;
  // Lambda runs from the bundle root (LAMBDA_TASK_ROOT), where CDK copies the file.
  const path = isAbsolute(file) ? file : resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  const policy = loadPolicyFile(path);
  for (const warning of policy.warnings) logger.warn('before_message policy warning', { warning });
  return policy;
};

/** Lambda entry point: the before_message policy behind Basic Auth from Secrets Manager. */
export const handler = createBeforeMessageHandler({
  credentials: secretCredentialStore({
    // One signed GetSecretValue per refresh: no SDK client in this function at all.
    source: signedSecretSource({ client: createSecretsManagerClient() }),
    secretId: env.WEBHOOK_SECRET_ARN,
  }),
  policy: loadPolicy(env.POLICY_FILE),
  appId: env.COMETCHAT_APP_ID || undefined,
  maxBodyBytes: env.MAX_BODY_BYTES,
  onPolicyError: countPolicyError,
  onDecision: countDecision,
});
