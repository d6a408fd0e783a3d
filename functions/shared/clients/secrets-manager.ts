import { type AwsJsonClient, type AwsJsonClientOptions, createAwsJsonClient, SECRETS_MANAGER_JSON } from './aws-json-client.ts';

/**
 * The Secrets Manager client of every function that reads a secret while a caller waits (the webhook
 * secret, the admin tokens): signed JSON calls with the webhook budget's timeouts and two attempts, so
 * one reused socket the far end closed does not fail the read; the caller's deadline caps the rest.
 */
export const createSecretsManagerClient = (overrides: Omit<AwsJsonClientOptions, 'service'> = {}): AwsJsonClient =>
  createAwsJsonClient({ service: SECRETS_MANAGER_JSON, maxAttempts: 2, ...overrides });
