import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as z from 'zod';

export interface CachedSecretOptions<Value> {
  readonly client: SecretsManagerClient;
  readonly secretId: string;
  /** The secret's JSON shape; a mismatch fails the read with what is wrong (never the values). */
  readonly schema: z.ZodType<Value>;
  /** What the secret should look like, for the error message. */
  readonly describe: string;
  /** Seconds a fetched secret is reused. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
}

/**
 * A JSON secret cached across invocations by Powertools Parameters. A caller
 * whose check failed may ask for one forced refresh, rate-limited, so that a
 * rotated value works within seconds while a stream of bad guesses never
 * becomes a stream of Secrets Manager calls.
 */
export const cachedSecret = <Value>({
  client,
  secretId,
  schema,
  describe,
  maxAgeSeconds = 300,
  minRefreshIntervalMs = 30_000,
}: CachedSecretOptions<Value>) => {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  let lastForcedRefresh = 0;
  return async (options?: { readonly refresh?: boolean }): Promise<Value> => {
    const now = Date.now();
    const forceFetch = options?.refresh === true && now - lastForcedRefresh >= minRefreshIntervalMs;
    if (forceFetch) lastForcedRefresh = now;
    const raw = await provider.get(secretId, { maxAge: maxAgeSeconds, transform: 'json', forceFetch });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`Secret ${secretId} is not ${describe} JSON: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    return parsed.data;
  };
};
