import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Thrown when the environment holds no credentials: outside Lambda, where the default chain was not bundled. */
export class MissingEnvironmentCredentialsError extends Error {
  override readonly name = 'MissingEnvironmentCredentialsError';
}

/**
 * What the Lambda bundles get instead of `@aws-sdk/credential-provider-node`
 * (an esbuild alias in `lib/constructs/relay-function.ts`): Lambda always
 * puts the execution role's credentials in the environment, so the default
 * chain's other providers (ini files, SSO, STS web identity, IMDS, processes:
 * about 95 KB and their imports) are dead weight in a Lambda's cold start.
 * Same variables as the SDK's `fromEnv`. Only the bundles use it; `tsx`, the
 * local stack and the tests keep the SDK's default chain.
 */
export const defaultProvider =
  (_init?: unknown): AwsCredentialIdentityProvider =>
  async (): Promise<AwsCredentialIdentity> => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new MissingEnvironmentCredentialsError(
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: this bundle reads credentials from the environment only (as Lambda provides them)',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    const expiration = process.env.AWS_CREDENTIAL_EXPIRATION;
    const accountId = process.env.AWS_ACCOUNT_ID;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration ? { expiration: new Date(expiration) } : {}),
      ...(accountId ? { accountId } : {}),
    };
  };
