import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** SNS topic names: letters, digits, hyphens and underscores, at most 256 characters. */
const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/** The physical topic name: `<prefix>-message-events`. */
export const messageEventsTopicName = (prefix: string): string => `${prefix}-message-events`;

export interface MessageEventsTopicProps {
  /**
   * Prefix of the physical topic name, `<prefix>-message-events`. The stack
   * passes its stack name so that two deployments in one account do not
   * collide, and so that subscribers in other stacks can find the topic by name.
   */
  readonly topicNamePrefix: string;
}

/**
 * The "message events" SNS topic (SPEC §2, docs/events.md): the events
 * consumer publishes one normalised event per CometChat message event, and
 * the user's own services subscribe to it (filtering on message attributes).
 *
 * Encrypted at rest with a customer-managed KMS key of its own, with yearly
 * rotation: the AWS-managed `alias/aws/sns` key has a policy no one can edit,
 * so AWS services could never be allowed to publish with it, and access to
 * the events could not be narrowed later. The key keeps the default key
 * policy (the account's IAM policies decide who may use it): a publisher needs
 * `kms:GenerateDataKey` and `kms:Decrypt` on it through SNS (the events
 * consumer gets exactly that), while subscribers need nothing on it, because
 * SNS decrypts before it delivers. A subscribed SQS queue encrypted with a
 * customer-managed key of its own must let `sns.amazonaws.com` use that key,
 * which is the subscriber's key policy, not this one. Publishing over plain
 * HTTP is refused (`enforceSSL`).
 */
export class MessageEventsTopic extends Construct {
  /** The topic events are published to; subscribe to it. */
  readonly topic: Topic;
  /** The topic's encryption key. */
  readonly key: Key;

  constructor(scope: Construct, id: string, props: MessageEventsTopicProps) {
    super(scope, id);
    validateProps(props);
    const { topicNamePrefix } = props;

    this.key = new Key(this, 'Key', {
      description: 'cometchat-relay: encrypts the message-events SNS topic at rest',
      enableKeyRotation: true,
      // Only messages in flight on the topic were ever encrypted with it; deletion is scheduled, not immediate.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });

    this.topic = new Topic(this, 'Topic', {
      topicName: messageEventsTopicName(topicNamePrefix),
      displayName: 'cometchat-relay message events',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}

const validateProps = ({ topicNamePrefix }: MessageEventsTopicProps): void => {
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (Token.isUnresolved(topicNamePrefix)) return;
  const name = messageEventsTopicName(topicNamePrefix);
  if (!TOPIC_NAME_PATTERN.test(name)) {
    throw new Error(
      `MessageEventsTopic: topicNamePrefix ${JSON.stringify(topicNamePrefix)} gives the topic name "${name}", ` +
        'but SNS names allow only letters, digits, "-" and "_", at most 256 characters',
    );
  }
};
