import * as z from 'zod/mini';
import type { SecretSource } from './ports/secret-source.ts';

export interface CachedSecretOptions<Value> {
  /** Where the secret string is read (`signedSecretSource` in the functions). */
  readonly source: SecretSource;
  readonly secretId: string;
  /** The secret's JSON shape; a mismatch fails the read with what is wrong (never the values). */
  /** Classic or mini zod alike (both have `safeParse`). */
  readonly schema: z.core.$ZodType<Value>;
  /** What the secret should look like, for the error message. */
  readonly describe: string;
  /** Seconds a fetched secret is reused. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
}

/**
 * A JSON secret cached across invocations. A caller whose check failed may
 * ask for one forced refresh, rate-limited, so that a rotated value works
 * within seconds while a stream of bad guesses never becomes a stream of
 * Secrets Manager calls.
 */
export const cachedSecret = <Value>({
  source,
  secretId,
  schema,
  describe,
  maxAgeSeconds = 300,
  minRefreshIntervalMs = 30_000,
}: CachedSecretOptions<Value>) => {
  let cached: { readonly value: Value; readonly expires: number } | undefined;
  let lastForcedRefresh = 0;
  return async (options?: { readonly refresh?: boolean }): Promise<Value> => {
    const now = Date.now();
    const forceFetch = options?.refresh === true && now - lastForcedRefresh >= minRefreshIntervalMs;
    if (forceFetch) lastForcedRefresh = now;
    if (cached && !forceFetch && now < cached.expires) return cached.value;
    const raw = await source.readSecretString(secretId);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`Secret ${secretId} is not ${describe} JSON: it does not parse as JSON`);
    }
    const parsed = z.safeParse(schema, json);
    if (!parsed.success) {
      throw new Error(`Secret ${secretId} is not ${describe} JSON: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    cached = { value: parsed.data, expires: now + maxAgeSeconds * 1000 };
    return parsed.data;
  };
};
