import { Duration, Token } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic, Subscription } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  FEEDBACK_SOURCES,
  type FeedbackSource,
  feedbackDeadLetterQueueName,
  feedbackQueueName,
} from '../../functions/feedback/feedback-sources.ts';
import { MAX_CONCURRENCY_MAX, MAX_CONCURRENCY_MIN } from '../config.ts';
import { QUEUE_SETTINGS, visibilityTimeoutSeconds } from '../queue-settings.ts';
import { CONSUMER_BATCH_SIZE } from './channel-pipeline.ts';
import { RelayFunction } from './relay-function.ts';

/** SQS queue names: letters, digits, hyphens and underscores, at most 80 characters. */
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Feedback is a trickle next to notifications, and each event is one directory write: two consumers keep up. */
export const DEFAULT_FEEDBACK_MAX_CONCURRENCY = 2;
const DEFAULT_FEEDBACK_MEMORY_MB = 256;
/**
 * Age of the oldest feedback event above which its queue is "not keeping up": nothing waits on feedback the way a
 * person waits on a notification, but an hour behind means contacts and devices are not being cleaned up.
 */
export const FEEDBACK_MAX_MESSAGE_AGE = Duration.hours(1);

export interface FeedbackPipelineProps {
  /** Which feedback loop this is: names the queues (`<prefix>-<source>-feedback`, shared with the local stack). */
  readonly source: FeedbackSource;
  /** The topic the feedback is published to (by SES or by SNS itself); the queue subscribes to it. */
  readonly topic: ITopic;
  /** Prefix of the physical queue names; the stack passes its stack name. */
  readonly queueNamePrefix: string;
  /** The consumer's handler, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** What the consumer does, shown in the Lambda console. */
  readonly description: string;
  /** What the consumer's role may do, shown in the IAM console. */
  readonly roleDescription: string;
  /** The consumer's own settings (the Powertools ones are added by RelayFunction). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Most concurrent consumer invocations (2 to 1000).
   *
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * Memory of the consumer, in MB.
   *
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the consumer's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * One feedback loop from topic to directory: an SQS queue subscribed to the
 * topic with raw message delivery (the body is the published event itself),
 * its dead-letter queue, and a consumer that reads batches and reports the
 * failed records as batch item failures, exactly like a channel pipeline
 * (same retention, visibility timeout and `maxReceiveCount`, from
 * `lib/queue-settings.ts`). A queue rather than a Lambda subscription, so a
 * directory outage retries through visibility and ends in a DLQ that can be
 * inspected and redriven, instead of being dropped after SNS's own retries.
 *
 * The consumer gets no permission here besides its queue and its logs: the
 * construct that knows what the feedback changes grants that.
 */
export class FeedbackPipeline extends Construct {
  /** Which feedback loop this is. */
  readonly source: FeedbackSource;
  /** Where the topic delivers, and the consumer reads. */
  readonly queue: Queue;
  /** Where records land after `QUEUE_SETTINGS.maxReceiveCount` failed receives. */
  readonly deadLetterQueue: Queue;
  /** The topic → queue subscription. */
  readonly subscription: Subscription;
  /** The consumer of `queue`. */
  readonly consumer: RelayFunction;
  /** The SQS event source that feeds the consumer. */
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: FeedbackPipelineProps) {
    super(scope, id);
    validateProps(props);
    const {
      source,
      topic,
      queueNamePrefix,
      entry,
      description,
      roleDescription,
      environment,
      maxConcurrency = DEFAULT_FEEDBACK_MAX_CONCURRENCY,
      memorySize = DEFAULT_FEEDBACK_MEMORY_MB,
      logRetention = RetentionDays.ONE_MONTH,
    } = props;
    this.source = source;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: feedbackDeadLetterQueueName(queueNamePrefix, source),
      retentionPeriod: Duration.days(QUEUE_SETTINGS.dlqRetentionPeriodDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: feedbackQueueName(queueNamePrefix, source),
      retentionPeriod: Duration.days(QUEUE_SETTINGS.retentionPeriodDays),
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds()),
      // SSE-SQS, not a KMS key: SNS can deliver to it without a key policy of its own.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
    });
    // Raw delivery: the record body is the event as published; the consumer reads either form (sns-envelope.ts).
    this.subscription = topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: true }));

    this.consumer = new RelayFunction(this, 'Consumer', {
      description,
      roleDescription,
      entry,
      memorySize,
      timeout: Duration.seconds(QUEUE_SETTINGS.consumerTimeoutSeconds),
      logRetention,
      environment,
    });
    // Receive, delete and change-visibility permissions on `queue` come with the event source.
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: CONSUMER_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency,
    });
    this.consumer.addEventSource(this.eventSource);
  }
}

const validateProps = ({ source, topic, queueNamePrefix, maxConcurrency, memorySize }: FeedbackPipelineProps): void => {
  if (!(FEEDBACK_SOURCES as readonly string[]).includes(source)) {
    throw new Error(`FeedbackPipeline: unknown source ${JSON.stringify(source)} (expected ${FEEDBACK_SOURCES.join(' or ')})`);
  }
  if (topic === undefined) throw new Error('FeedbackPipeline: topic is required');
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (!Token.isUnresolved(queueNamePrefix)) {
    const longest = feedbackDeadLetterQueueName(queueNamePrefix, source);
    if (!QUEUE_NAME_PATTERN.test(longest)) {
      throw new Error(
        `FeedbackPipeline: queueNamePrefix ${JSON.stringify(queueNamePrefix)} gives the queue name "${longest}", ` +
          'but SQS names allow only letters, digits, "-" and "_", at most 80 characters',
      );
    }
  }
  if (
    maxConcurrency !== undefined &&
    !(Number.isInteger(maxConcurrency) && maxConcurrency >= MAX_CONCURRENCY_MIN && maxConcurrency <= MAX_CONCURRENCY_MAX)
  ) {
    throw new Error(
      `FeedbackPipeline: maxConcurrency must be a whole number from ${MAX_CONCURRENCY_MIN} to ${MAX_CONCURRENCY_MAX}, got ${maxConcurrency}`,
    );
  }
  if (memorySize !== undefined && !(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10_240)) {
    throw new Error(`FeedbackPipeline: memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}`);
  }
};
