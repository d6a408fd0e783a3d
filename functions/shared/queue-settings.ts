import type { Channel } from './channels.ts';

/**
 * Queue and dead-letter settings shared by the CDK stack and the local stack,
 * so that what runs locally redrives exactly like what is deployed.
 */
export const QUEUE_SETTINGS = {
  /** Receives before a message is moved to its DLQ (SPEC §5). */
  maxReceiveCount: 5,
  /** How long an undelivered message stays in its channel queue. */
  retentionPeriodDays: 4,
  /** How long a dead letter is kept for inspection and redrive. */
  dlqRetentionPeriodDays: 14,
  /** Consumer function timeout; the queue's visibility timeout is six times this (AWS guidance for SQS event sources). */
  consumerTimeoutSeconds: 30,
} as const;

export const visibilityTimeoutSeconds = (): number => QUEUE_SETTINGS.consumerTimeoutSeconds * 6;

/** Physical queue names: `<prefix>-<channel>` and `<prefix>-<channel>-dlq`. */
export const queueName = (prefix: string, channel: Channel): string => `${prefix}-${channel}`;
export const deadLetterQueueName = (prefix: string, channel: Channel): string => `${prefix}-${channel}-dlq`;
