import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import {
  createPlatformApplication,
  type PlatformApplicationProperties,
  ROLE_PROPAGATION_ATTEMPTS,
} from '../../functions/platform-applications/platform-application.ts';
import { serviceAccountJson } from '../fixtures/push-credentials.ts';

/** The create path's retry while IAM propagates a new role, with SNS and Secrets Manager replaced by stubs (one module). */
const PROPERTIES: PlatformApplicationProperties = {
  Name: 'relay-fcm',
  RelayPlatform: 'fcm',
  Platform: 'GCM',
  CredentialsSecretId: 'relay/fcm',
  EventTopicArn: '',
  DeliveryStatusRoleArn: 'arn:aws:iam::123456789012:role/relay-delivery-status',
  SuccessFeedbackSampleRate: '10',
};
const ARN = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/relay-fcm';

const snsError = (name: string, message: string) => Object.assign(new Error(message), { name });

const deps = (snsAnswers: Array<Error | { PlatformApplicationArn: string }>) => {
  const send = vi.fn(async () => {
    const answer = snsAnswers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  });
  const secrets = { send: vi.fn(async () => ({ SecretString: serviceAccountJson() })) } as unknown as SecretsManagerClient;
  const pause = vi.fn(async () => {});
  return { sns: { send } as unknown as SNSClient, secrets, pause, send };
};

describe('createPlatformApplication', () => {
  it('retries while SNS refuses a delivery-status role that IAM has not propagated yet', async () => {
    const refusal = snsError('InvalidParameterException', 'Invalid parameter: Attributes Reason: FailureFeedbackRoleArn: cannot assume role');
    const { send, pause, ...rest } = deps([refusal, refusal, { PlatformApplicationArn: ARN }]);

    await expect(createPlatformApplication({ ...rest, pause }, PROPERTIES)).resolves.toBe(ARN);
    expect(send).toHaveBeenCalledTimes(3);
    expect(pause).toHaveBeenCalledTimes(2);
  });

  it(`gives up after ${ROLE_PROPAGATION_ATTEMPTS} attempts with SNS's reason`, async () => {
    const refusal = snsError('InvalidParameterException', 'Invalid parameter: Attributes Reason: SuccessFeedbackRoleArn is not valid');
    const { send, pause, ...rest } = deps(Array.from({ length: ROLE_PROPAGATION_ATTEMPTS }, () => refusal));

    await expect(createPlatformApplication({ ...rest, pause }, PROPERTIES)).rejects.toThrow(
      'SNS refused to create platform application relay-fcm: InvalidParameterException: Invalid parameter: Attributes Reason: SuccessFeedbackRoleArn is not valid',
    );
    expect(send).toHaveBeenCalledTimes(ROLE_PROPAGATION_ATTEMPTS);
  });

  it('fails at once on any other refusal (credentials SNS rejects)', async () => {
    const { send, pause, ...rest } = deps([snsError('InvalidParameterException', 'Invalid parameter: Attributes Reason: Platform credentials are invalid')]);

    await expect(createPlatformApplication({ ...rest, pause }, PROPERTIES)).rejects.toThrow(/Platform credentials are invalid$/);
    expect(send).toHaveBeenCalledTimes(1);
    expect(pause).not.toHaveBeenCalled();
  });
});
