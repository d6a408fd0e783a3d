import { type AwsJsonClient, AwsServiceError } from './clients/aws-json-client.ts';
import type { SecretSource } from './ports/secret-source.ts';

export interface SignedSecretSourceOptions {
  /** A Secrets Manager JSON-protocol client (`createAwsJsonClient` with `SECRETS_MANAGER_JSON`). */
  readonly client: AwsJsonClient;
}

/** Secrets Manager answered, but not with a secret string (an error, or a binary secret). */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError';
}

/**
 * `GetSecretValue` as one signed JSON 1.1 call, instead of the Secrets Manager client and Powertools
 * Parameters (their bundle and their import at every cold start). The request is the one the SDK would
 * send, so it works against Secrets Manager and any emulator of its JSON protocol alike.
 */
export const signedSecretSource = ({ client }: SignedSecretSourceOptions): SecretSource => ({
  async readSecretString(secretId, options) {
    let output: Record<string, unknown>;
    try {
      output = await client.call('GetSecretValue', { SecretId: secretId }, { abortSignal: options?.abortSignal });
    } catch (error) {
      // The error's type only (for example ResourceNotFoundException): AwsServiceError never echoes a body that could hold more.
      if (error instanceof AwsServiceError) {
        throw new SecretReadError(`GetSecretValue of ${secretId} failed with HTTP ${error.statusCode} (${error.code})`, {
          cause: error,
        });
      }
      throw error;
    }
    if (typeof output.SecretString !== 'string') throw new SecretReadError(`Secret ${secretId} has no SecretString`);
    return output.SecretString;
  },
});
