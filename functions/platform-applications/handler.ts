import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { logger } from '../shared/powertools.ts';
import { createPlatformApplicationHandler, type ProviderResponse } from './platform-application.ts';

const sns = new SNSClient({ maxAttempts: 3 });
const secrets = new SecretsManagerClient({ maxAttempts: 3 });
const onEvent = createPlatformApplicationHandler({ sns, secrets });

/**
 * Lambda entry point of the platform-application custom resource (the
 * Provider framework's onEvent). A thrown error's message becomes the reason
 * in the CloudFormation event; it names the secret or quotes SNS, never the
 * credentials.
 */
export const handler = async (event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> => {
  const name = typeof event.ResourceProperties.Name === 'string' ? event.ResourceProperties.Name : undefined;
  logger.info('platform application request', { requestType: event.RequestType, application: name });
  try {
    return await onEvent(event);
  } catch (error) {
    logger.error('platform application request failed', { requestType: event.RequestType, application: name, reason: error instanceof Error ? error.message : String(error) });
    throw error;
  }
};
