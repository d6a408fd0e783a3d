import * as z from 'zod';
import { cachedSecret } from '../shared/cached-secret.ts';
import type { SecretSource } from '../shared/ports/secret-source.ts';
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
  /** Where the secret is read (`signedSecretSource` in the functions). */
  readonly source: SecretSource;
  readonly secretId: string;
  /** Seconds a fetched secret is reused. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Shortest interval between forced refreshes after a wrong token, in ms. Default 30 000. */
  readonly minRefreshIntervalMs?: number;
}

/**
 * Secrets Manager-backed admin tokens, cached like the webhook credentials: a
 * wrong token may force one rate-limited refresh so that a rotated token works
 * within seconds.
 */
export const secretAdminTokenSource = (options: SecretAdminTokenSourceOptions): AdminTokenSource => {
  const read = cachedSecret({ ...options, schema: AdminSecretSchema, describe: '{"token"}' });
  return {
    async accepted(request) {
      const secret = await read(request);
      return secret.secondaryToken ? [secret.token, secret.secondaryToken] : [secret.token];
    },
  };
};
