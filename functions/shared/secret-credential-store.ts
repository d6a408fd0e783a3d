import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { BasicCredentials } from './basic-auth.ts';
import { type CachedSecretOptions, cachedSecret } from './cached-secret.ts';
import type { CredentialStore } from './ports/credential-store.ts';

/**
 * The webhook secret as CDK generates it, plus the optional second pair an
 * operator adds while rotating (README, "Rotating the webhook credentials").
 */
export const WebhookSecretSchema = z
  .object({
    username: z.string().min(1),
    password: z.string().min(1),
    secondaryUsername: z.string().min(1).optional(),
    secondaryPassword: z.string().min(1).optional(),
  })
  .refine((secret) => (secret.secondaryUsername === undefined) === (secret.secondaryPassword === undefined), {
    message: 'secondaryUsername and secondaryPassword must be set together',
  });

export const credentialPairs = (secret: z.infer<typeof WebhookSecretSchema>): BasicCredentials[] => {
  const pairs: BasicCredentials[] = [{ username: secret.username, password: secret.password }];
  if (secret.secondaryUsername && secret.secondaryPassword) {
    pairs.push({ username: secret.secondaryUsername, password: secret.secondaryPassword });
  }
  return pairs;
};

/** The last-known-good settings of the cache (cached-secret.ts) pass through unchanged. */
export interface SecretCredentialStoreOptions
  extends Pick<CachedSecretOptions<unknown>, 'maxStaleSeconds' | 'fetchTimeoutMs' | 'retryAfterFailureMs' | 'now'> {
  readonly client: SecretsManagerClient;
  readonly secretId: string;
  /** Seconds a fetched secret is reused. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes after a failed login, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
}

/**
 * Secrets Manager-backed credentials. A failed login may force one refresh
 * (rate-limited) so that a newly rotated pair works within seconds rather than
 * after the cache expires.
 */
export const secretCredentialStore = (options: SecretCredentialStoreOptions): CredentialStore => {
  const read = cachedSecret({ ...options, schema: WebhookSecretSchema, describe: '{"username","password"}' });
  return { accepted: async (request) => credentialPairs(await read(request)) };
};
