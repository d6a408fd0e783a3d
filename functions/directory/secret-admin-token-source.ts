import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { AdminTokenSource } from './admin-auth.ts';

/**
 * The admin secret as CDK generates it (`{"token": "..."}`), plus the optional
 * second token an operator adds while rotating: both are accepted until
 * `secondaryToken` is removed again.
 */
export const AdminSecretSchema = z.object({
  token: z.string().min(1),
  secondaryToken: z.string().min(1).optional(),
});

export interface SecretAdminTokenSourceOptions {
  readonly client: SecretsManagerClient;
  readonly secretId: string;
  /** Seconds a fetched secret is reused. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes after a wrong token, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
}

/**
 * Secrets Manager-backed admin tokens, cached across invocations by Powertools
 * Parameters (as the webhook credentials are). A wrong token may force one
 * rate-limited refresh so that a rotated token works within seconds; the rate
 * limit keeps a stream of bad guesses from becoming a stream of Secrets Manager calls.
 */
export const secretAdminTokenSource = ({
  client,
  secretId,
  maxAgeSeconds = 300,
  minRefreshIntervalMs = 30_000,
}: SecretAdminTokenSourceOptions): AdminTokenSource => {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  let lastForcedRefresh = 0;
  return {
    async accepted(options) {
      const now = Date.now();
      const forceFetch = options?.refresh === true && now - lastForcedRefresh >= minRefreshIntervalMs;
      if (forceFetch) lastForcedRefresh = now;
      const raw = await provider.get(secretId, { maxAge: maxAgeSeconds, transform: 'json', forceFetch });
      const parsed = AdminSecretSchema.safeParse(raw);
      if (!parsed.success) {
        throw new Error(`Admin secret ${secretId} is not {"token": "..."} JSON: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      }
      return parsed.data.secondaryToken ? [parsed.data.token, parsed.data.secondaryToken] : [parsed.data.token];
    },
  };
};
