import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** SNS topic names: letters, digits, hyphens and underscores, at most 256 characters. */
const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
/** What a service principal looks like: `<service>.amazonaws.com`. */
const SERVICE_PRINCIPAL_PATTERN = /^[a-z0-9.-]+\.amazonaws\.com$/;

/** The KMS actions an AWS service needs to publish to a topic encrypted with a customer-managed key. */
export const SERVICE_PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:Decrypt'] as const;

export interface EncryptedTopicProps {
  /** The physical topic name. */
  readonly topicName: string;
  /** What the topic carries, shown in the SNS console (and as the sender of email subscriptions). */
  readonly displayName: string;
  /** What the key encrypts, shown in the KMS console. */
  readonly keyDescription: string;
  /**
   * The AWS service that publishes to the topic, as its service principal (for example
   * `cloudwatch.amazonaws.com`). The key policy lets that service use the key; who may publish is the topic
   * policy's business, which the caller extends.
   */
  readonly publisherService: string;
}

/**
 * An SNS topic that an AWS service (CloudWatch alarms, SES event publishing)
 * publishes to, encrypted at rest and refusing plain-HTTP publishing.
 *
 * It has a customer-managed key of its own, with yearly rotation: the
 * AWS-managed `alias/aws/sns` key has a policy no one can edit, so no AWS
 * service could ever publish with it (CloudWatch would fail every alarm
 * notification silently). The key encrypts this topic only, which is what
 * keeps the service's grant in the key policy narrow without conditions that
 * not every service sets.
 */
export class EncryptedTopic extends Construct {
  /** The topic; extend its policy with `topic.addToResourcePolicy` to let the publisher in. */
  readonly topic: Topic;
  /** The topic's encryption key. */
  readonly key: Key;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    validateProps(props);
    const { topicName, displayName, keyDescription, publisherService } = props;

    this.key = new Key(this, 'Key', {
      description: keyDescription,
      enableKeyRotation: true,
      // Only messages in flight on the topic were ever encrypted with it; deletion is scheduled, not immediate.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    // A service publishes with its own principal, which the account's IAM policies (the default key policy) do not cover.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(publisherService)],
        actions: [...SERVICE_PUBLISH_KEY_ACTIONS],
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', { topicName, displayName, masterKey: this.key, enforceSSL: true });
  }
}

const validateProps = ({ topicName, displayName, publisherService }: EncryptedTopicProps): void => {
  // A token (an unresolved name) is checked by CloudFormation at deploy time instead.
  if (!Token.isUnresolved(topicName) && !TOPIC_NAME_PATTERN.test(topicName)) {
    throw new Error(
      `EncryptedTopic: topicName ${JSON.stringify(topicName)} is not an SNS topic name ` +
        '(letters, digits, "-" and "_", at most 256 characters)',
    );
  }
  if (displayName.length === 0 || displayName.length > 100) {
    throw new Error(`EncryptedTopic: displayName must be 1 to 100 characters, got ${displayName.length}`);
  }
  if (!SERVICE_PRINCIPAL_PATTERN.test(publisherService)) {
    throw new Error(
      `EncryptedTopic: publisherService must be a service principal such as "cloudwatch.amazonaws.com", got ${JSON.stringify(publisherService)}`,
    );
  }
};
