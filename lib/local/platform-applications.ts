import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { feedbackQueueName } from '../../functions/feedback/feedback-sources.ts';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import {
  createPlatformApplicationHandler,
  type PlatformApplicationProperties,
} from '../../functions/platform-applications/platform-application.ts';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../../functions/shared/ports/directory.ts';
import { localPushCredential } from './local-push-credentials.ts';

/** The local secret that holds a platform's push credentials: `<prefix>/push/<platform>`. */
export const localPushSecretName = (prefix: string, platform: Platform): string => `${prefix}/push/${platform}`;

/** The local application of a platform: `<prefix>-<platform>`, as the stack names its own `<stack name>-<platform>`. */
export const localApplicationName = (prefix: string, platform: Platform): string => `${prefix}-${platform}`;

/** What SNS would assume to log delivery status; the emulator only keeps the attribute. */
const localDeliveryStatusRole = (prefix: string) => `arn:aws:iam::000000000000:role/${prefix}-sns-delivery-status`;

export interface LocalPlatformApplicationsOptions {
  readonly sns: SNSClient;
  readonly secrets: SecretsManagerClient;
  readonly prefix: string;
  /**
   * SNS topics (fauxqs): the applications' endpoint events go to the push feedback topic `<prefix>-push-feedback`,
   * which the local feedback loop subscribes to (CreateTopic answers the same ARN to both). Absent: no events.
   */
  readonly topics?: SNSClient;
}

/**
 * The local stack's platform applications, one per platform, created by the
 * deployed custom resource's handler (a CloudFormation Create event) from the
 * credentials in the local Secrets Manager emulator. A platform whose secret
 * is missing gets stand-in credentials stored first, so that devices can
 * register from the first `npm start`; `npm run push-credentials -- ... --local`
 * replaces them. Running again at the next start re-applies the stored
 * credentials to the same applications (the emulator, like SNS, keeps the ARN).
 */
export const createLocalPlatformApplications = async ({
  sns,
  secrets,
  prefix,
  topics,
}: LocalPlatformApplicationsOptions): Promise<Record<Platform, string>> => {
  const eventTopicArn = topics
    ? ((await topics.send(new CreateTopicCommand({ Name: feedbackQueueName(prefix, 'push') }))).TopicArn ?? '')
    : '';
  const onEvent = createPlatformApplicationHandler({ sns, secrets });
  const entries = await Promise.all(
    PLATFORMS.map(async (platform) => {
      const secretName = localPushSecretName(prefix, platform);
      try {
        await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: localPushCredential(platform) }));
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
      }
      const properties: PlatformApplicationProperties = {
        Name: localApplicationName(prefix, platform),
        RelayPlatform: platform,
        Platform: SNS_PLATFORM_OF[platform],
        CredentialsSecretId: secretName,
        EventTopicArn: eventTopicArn,
        DeliveryStatusRoleArn: localDeliveryStatusRole(prefix),
        SuccessFeedbackSampleRate: '100',
      };
      const { PhysicalResourceId } = await onEvent(createEvent(properties));
      return [platform, PhysicalResourceId] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Platform, string>;
};

const createEvent = (properties: PlatformApplicationProperties): CloudFormationCustomResourceCreateEvent => ({
  RequestType: 'Create',
  ServiceToken: 'local',
  ResponseURL: 'http://127.0.0.1/local',
  StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/local/local',
  RequestId: properties.Name,
  LogicalResourceId: `${properties.Platform}Application`,
  ResourceType: 'Custom::SnsPlatformApplication',
  ResourceProperties: { ServiceToken: 'local', ...properties },
});
