// zod/mini: read on the ingest path (bundle size, cold start).
import * as z from 'zod/mini';
import type { BasicCredentials } from './basic-auth.ts';
import { type CachedSecretOptions, cachedSecret } from './cached-secret.ts';
import type { CredentialStore } from './ports/credential-store.ts';
import type { SecretSource } from './ports/secret-source.ts';

/**
 * The webhook secret as CDK generates it, plus the optional second pair an
 * operator adds while rotating (README, "Rotating the webhook credentials").
 */
export const WebhookSecretSchema = z
  .object({
    username: z.string().check(z.minLength(1)),
    password: z.string().check(z.minLength(1)),
    secondaryUsername: z.optional(z.string().check(z.minLength(1))),
    secondaryPassword: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine((secret) => (secret.secondaryUsername === undefined) === (secret.secondaryPassword === undefined), {
      message: 'secondaryUsername and secondaryPassword must be set together',
    }),
  );

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
  /** Where the secret is read (`signedSecretSource` in the functions). */
  readonly source: SecretSource;
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
