import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import { QUEUE_SETTINGS, deadLetterQueueName, queueName, visibilityTimeoutSeconds } from '../queue-settings.ts';

export interface ChannelQueueUrls {
  readonly url: string;
  readonly deadLetterUrl: string;
}

export type ChannelQueues = Readonly<Record<Channel, ChannelQueueUrls>>;

const DAY_SECONDS = 24 * 60 * 60;

export interface CreateChannelQueuesOptions {
  readonly sqs: SQSClient;
  readonly prefix: string;
  /** Overrides the deployed visibility timeout (the local stack shortens it so retries show up in seconds). */
  readonly visibilityTimeoutSeconds?: number;
}

/**
 * Creates each channel's queue and DLQ with the settings the CDK stack deploys
 * (lib/queue-settings.ts). CreateQueue is idempotent for identical attributes,
 * so a restart reuses existing queues.
 */
export const createChannelQueues = async ({
  sqs,
  prefix,
  visibilityTimeoutSeconds: visibility = visibilityTimeoutSeconds(),
}: CreateChannelQueuesOptions): Promise<ChannelQueues> => {
  const entries = await Promise.all(
    CHANNELS.map(async (channel) => {
      const deadLetter = await sqs.send(
        new CreateQueueCommand({
          QueueName: deadLetterQueueName(prefix, channel),
          Attributes: { MessageRetentionPeriod: String(QUEUE_SETTINGS.dlqRetentionPeriodDays * DAY_SECONDS) },
        }),
      );
      const deadLetterUrl = required(deadLetter.QueueUrl, 'dead-letter queue URL');
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
      );
      const queue = await sqs.send(
        new CreateQueueCommand({
          QueueName: queueName(prefix, channel),
          Attributes: {
            MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionPeriodDays * DAY_SECONDS),
            VisibilityTimeout: String(visibility),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: required(Attributes?.QueueArn, 'dead-letter queue ARN'),
              maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
            }),
          },
        }),
      );
      return [channel, { url: required(queue.QueueUrl, 'queue URL'), deadLetterUrl }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Channel, ChannelQueueUrls>;
};

const required = (value: string | undefined, what: string): string => {
  if (!value) throw new Error(`SQS emulator answered without a ${what}`);
  return value;
};
