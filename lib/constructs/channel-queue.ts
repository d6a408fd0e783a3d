import { Duration, Token } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Channel, isChannel } from '../../functions/shared/channels.ts';
import { deadLetterQueueName, QUEUE_SETTINGS, queueName, visibilityTimeoutSeconds } from '../queue-settings.ts';

/** The largest message SQS accepts (1 MiB): the ingest path enqueues the webhook body whole. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** SQS queue names: letters, digits, hyphens and underscores, at most 80 characters. */
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export interface ChannelQueueProps {
  /** The channel whose notifications this queue carries. */
  readonly channel: Channel;
  /**
   * Prefix of the physical queue names: the queues are `<prefix>-<channel>` and
   * `<prefix>-<channel>-dlq` (`lib/queue-settings.ts`, shared with the local stack).
   * The stack passes its stack name so that two deployments in one account do not collide.
   */
  readonly queueNamePrefix: string;
  /**
   * Largest message either queue accepts, in bytes.
   *
   * @default 1048576 (the SQS maximum), so that any body the ingest path accepts can be enqueued
   */
  readonly maxMessageSizeBytes?: number;
}

/**
 * One channel's queue and its dead-letter queue (SPEC §5): both encrypted with
 * SQS-managed keys and refusing plain HTTP; a message that fails
 * `maxReceiveCount` times moves to the DLQ, where it is kept 14 days for
 * inspection and redrive. Retention and timeouts come from `lib/queue-settings.ts`,
 * which the local stack shares. The channel's consumer is attached to `queue`
 * (by this construct or a sibling one).
 */
export class ChannelQueue extends Construct {
  /** The channel this queue belongs to. */
  readonly channel: Channel;
  /** Where the ingest function enqueues and the consumer reads. */
  readonly queue: Queue;
  /** Where messages land after `QUEUE_SETTINGS.maxReceiveCount` failed receives. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ChannelQueueProps) {
    super(scope, id);
    validateProps(props);
    const { channel, queueNamePrefix, maxMessageSizeBytes = SQS_MAX_MESSAGE_BYTES } = props;
    this.channel = channel;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueName(queueNamePrefix, channel),
      retentionPeriod: Duration.days(QUEUE_SETTINGS.dlqRetentionPeriodDays),
      maxMessageSizeBytes,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.queue = new Queue(this, 'Queue', {
      queueName: queueName(queueNamePrefix, channel),
      retentionPeriod: Duration.days(QUEUE_SETTINGS.retentionPeriodDays),
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds()),
      maxMessageSizeBytes,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
    });
  }
}

const validateProps = ({ channel, queueNamePrefix, maxMessageSizeBytes }: ChannelQueueProps): void => {
  if (!isChannel(channel)) throw new Error(`ChannelQueue: unknown channel ${JSON.stringify(channel)}`);
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (!Token.isUnresolved(queueNamePrefix)) {
    const longest = deadLetterQueueName(queueNamePrefix, channel);
    if (!QUEUE_NAME_PATTERN.test(longest)) {
      throw new Error(
        `ChannelQueue: queueNamePrefix ${JSON.stringify(queueNamePrefix)} gives the queue name "${longest}", ` +
          'but SQS names allow only letters, digits, "-" and "_", at most 80 characters',
      );
    }
  }
  if (maxMessageSizeBytes === undefined) return;
  if (!Number.isInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 1024 || maxMessageSizeBytes > SQS_MAX_MESSAGE_BYTES) {
    throw new Error(
      `ChannelQueue: maxMessageSizeBytes must be a whole number from 1024 to ${SQS_MAX_MESSAGE_BYTES}, got ${maxMessageSizeBytes}`,
    );
  }
};
