import * as z from 'zod/mini';
import type { SecretSource } from './ports/secret-source.ts';
import { logger } from './powertools.ts';

export interface CachedSecretOptions<Value> {
  /** Where the secret string is read (`signedSecretSource` in the functions). */
  readonly source: SecretSource;
  readonly secretId: string;
  /** The secret's JSON shape (classic or mini zod alike); a mismatch fails the read with what is wrong (never the values). */
  readonly schema: z.core.$ZodType<Value>;
  /** What the secret should look like, for the error message. */
  readonly describe: string;
  /** Seconds a fetched secret is reused before it is read again. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
  /**
   * Seconds past `maxAgeSeconds` that the last good value is still used while every refresh fails (Secrets
   * Manager unreachable, throttled, or the secret unreadable). Default 3600: the staleness bound.
   */
  readonly maxStaleSeconds?: number;
  /** Deadline of one read, in ms, inside the webhook's 2-second budget (SQS gets 1.2 s after it). Default 600. */
  readonly fetchTimeoutMs?: number;
  /** While the last good value is in use, how long after a failed read the next one is tried, in ms. Default 10 000. */
  readonly retryAfterFailureMs?: number;
  readonly now?: () => number;
}

/** The secret could not be read and no good value is at hand (or the last one is older than the staleness bound). */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/**
 * A JSON secret cached across invocations, kept last-known-good (SPEC §5): a
 * read that fails (Secrets Manager unreachable, throttled, a malformed value)
 * keeps the value read before, for at most `maxStaleSeconds` past its age,
 * so that an outage of Secrets Manager never refuses a valid webhook. Each
 * read has its own deadline, and while a good value is at hand a failed read
 * is retried at most every `retryAfterFailureMs`, so an outage does not add a
 * timed-out call to every request.
 *
 * A caller whose check failed may ask for one forced refresh, rate-limited,
 * so that a rotated value works within seconds while a stream of bad guesses
 * never becomes a stream of Secrets Manager calls.
 */
export const cachedSecret = <Value>({
  source,
  secretId,
  schema,
  describe,
  maxAgeSeconds = 300,
  minRefreshIntervalMs = 30_000,
  maxStaleSeconds = 3600,
  fetchTimeoutMs = 600,
  retryAfterFailureMs = 10_000,
  now = Date.now,
}: CachedSecretOptions<Value>) => {
  let good: { readonly value: Value; readonly at: number } | undefined;
  let lastForcedRefresh = Number.NEGATIVE_INFINITY;
  let lastFailure = Number.NEGATIVE_INFINITY;
  // Concurrent requests of one instance share one read.
  let reading: Promise<Value> | undefined;

  const fetchValue = async (): Promise<Value> => {
    const secretString = await source.readSecretString(secretId, { abortSignal: AbortSignal.timeout(fetchTimeoutMs) });
    let raw: unknown;
    try {
      raw = JSON.parse(secretString);
    } catch {
      throw new Error(`Secret ${secretId} is not ${describe} JSON: it does not parse as JSON`);
    }
    const parsed = z.safeParse(schema, raw);
    if (!parsed.success) {
      throw new Error(
        `Secret ${secretId} is not ${describe} JSON: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
      );
    }
    return parsed.data;
  };

  const refresh = (): Promise<Value> => {
    reading ??= fetchValue()
      .then((value) => {
        good = { value, at: now() };
        return value;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return async (options?: { readonly refresh?: boolean }): Promise<Value> => {
    const at = now();
    const forced = options?.refresh === true && at - lastForcedRefresh >= minRefreshIntervalMs;
    if (forced) lastForcedRefresh = at;
    if (good && !forced && at - good.at < maxAgeSeconds * 1000) return good.value;
    const usable = good && at - good.at < (maxAgeSeconds + maxStaleSeconds) * 1000 ? good : undefined;
    // Secrets Manager failed a moment ago: keep to the last good value instead of waiting on it again.
    if (usable && at - lastFailure < retryAfterFailureMs) return usable.value;
    try {
      return await refresh();
    } catch (error) {
      lastFailure = now();
      if (usable) {
        logger.warn('secret refresh failed: using the last good value', {
          secretId,
          ageSeconds: Math.round((at - usable.at) / 1000),
          cause: error instanceof Error ? error.name : typeof error,
        });
        return usable.value;
      }
      throw error instanceof Error && error.message.startsWith(`Secret ${secretId}`)
        ? error
        : new SecretUnavailableError(`Secret ${secretId} could not be read and no good value is at hand`, { cause: error });
    }
  };
};
