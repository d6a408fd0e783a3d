import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Channel } from '../../functions/shared/channels.ts';
import { planSendRate, type SendRatePlan } from '../../functions/shared/send-rate.ts';
import {
  DEFAULT_MAX_CONCURRENCY,
  E164,
  MAX_CONCURRENCY_MAX,
  MAX_CONCURRENCY_MIN,
  SES_CONFIGURATION_SET_NAME,
  SMS_SENDER_ID,
  USD_PRICE,
} from '../config.ts';
import { QUEUE_SETTINGS, visibilityTimeoutSeconds } from '../queue-settings.ts';
import { ChannelQueue, type ChannelQueueProps } from './channel-queue.ts';
import {
  checkPlatformApplicationArns,
  configuredApplicationArns,
  endpointArnPattern,
  nagResource,
  type PlatformApplicationArns,
} from './platform-arns.ts';
import { RelayFunction } from './relay-function.ts';

/** The namespace every function's EMF metrics are written under (Powertools Metrics; RelayFunction sets it). */
export { METRICS_NAMESPACE } from '../../functions/shared/metric-names.ts';
/** Records per consumer invocation: the most an SQS event source hands over without a batching window. */
export const CONSUMER_BATCH_SIZE = 10;
const DEFAULT_CONSUMER_MEMORY_MB = 512;

/** The actions every consumer uses on the idempotency records (claim, read, mark sent, release). */
export const DELIVERY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** How a push notification leaves: SNS platform endpoints of the configured applications. */
export interface PushDelivery {
  readonly channel: 'push';
  /**
   * The configured SNS platform applications; the consumer may publish to (and delete) their endpoints only.
   *
   * @default - none: the consumer may publish nowhere (no device can be registered either)
   */
  readonly platformApplicationArns?: PlatformApplicationArns;
}

/** How an SMS leaves: SNS SMS, with the optional sender settings (SNS SMS attributes). */
export interface SmsDelivery {
  readonly channel: 'sms';
  /** @default - none: the carrier's default sender */
  readonly senderId?: string | undefined;
  /** E.164. @default - none: SNS picks an origination identity */
  readonly originationNumber?: string | undefined;
  /** Most one SMS may cost, in USD, such as "0.50". @default - no limit */
  readonly maxPrice?: string | undefined;
}

/** How an email leaves: SES v2 from a verified sender. */
export interface EmailDelivery {
  readonly channel: 'email';
  /**
   * The verified SES sender. Without it the consumer gets no SES permission and every email fails to the DLQ.
   *
   * @default - none
   */
  readonly senderEmail?: string | undefined;
  /**
   * The SES configuration set every email is sent with (its events feed bounces and complaints back); the consumer
   * may send with this set only. A token (the name of a set the stack creates) is accepted as it is.
   *
   * @default - none: emails are sent without a configuration set
   */
  readonly configurationSetName?: string | undefined;
}

/** How a message event leaves: published to the message-events SNS topic, for the user's own subscribers. */
export interface EventsDelivery {
  readonly channel: 'events';
  /**
   * The topic the consumer publishes to, and nothing else. When it is encrypted (`masterKey`), the consumer may
   * also use that key through SNS, as SNS requires of every publisher to an encrypted topic.
   */
  readonly topic: ITopic;
}

export type ChannelDelivery = PushDelivery | SmsDelivery | EmailDelivery | EventsDelivery;

/** The KMS actions SNS performs with a publisher's credentials when it encrypts a message on an encrypted topic. */
export const ENCRYPTED_TOPIC_PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

export interface ChannelPipelineProps extends Omit<ChannelQueueProps, 'channel'> {
  /** The channel, and where its notifications go. */
  readonly delivery: ChannelDelivery;
  /**
   * The directory (devices for push, contact details for SMS and email).
   *
   * @default - none; required by the push, sms and email deliveries (the events consumer reads no directory)
   */
  readonly directoryTable?: ITable;
  /** The idempotency records every consumer claims before sending. */
  readonly deliveryTable: ITable;
  /**
   * Most concurrent consumer invocations (the SQS event source's maximum concurrency, 2 to 1000):
   * keeps the consumer inside its provider's rate limit.
   *
   * @default the channel's entry of DEFAULT_MAX_CONCURRENCY (push 20, sms 2, email 5, events 5)
   */
  readonly maxConcurrency?: number;
  /**
   * The provider's send rate the channel must stay at or below across all its consumers, per second
   * (SES, SNS SMS, SNS push). The event source's maximum concurrency becomes the count of at most
   * `maxConcurrency` instances whose whole shares of the rate add up to the most of it, each instance paces its
   * sends to its share, and the batch size is what one instance sends in half its timeout (send-rate.ts).
   *
   * @default - none: the consumer sends as fast as `maxConcurrency` instances of 10-record batches go (events)
   */
  readonly sendRate?: number;
  /**
   * Memory of the consumer, in MB.
   *
   * @default 512
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
 * One channel from queue to provider (SPEC §2, §4, §5): the channel's queue and
 * DLQ (`ChannelQueue`), and the consumer that reads batches of 10, sends each
 * notification through SNS or SES (or, for `events`, publishes each event to
 * the message-events topic), and reports the failed ones as batch item
 * failures so that only they are retried (and reach the DLQ after
 * `maxReceiveCount` receives). Written once, instantiated per channel: what
 * differs is `delivery`, which decides the consumer's handler and settings and
 * exactly which provider resources its role may touch.
 *
 * No batching window: a notification is sent as soon as a poller sees it,
 * and bursts (a 100-member group) still arrive in full batches because the
 * pollers receive up to 10 messages at once.
 */
export class ChannelPipeline extends ChannelQueue {
  /** The consumer of `queue`. */
  readonly consumer: RelayFunction;
  /** The SQS event source that feeds the consumer. */
  readonly eventSource: SqsEventSource;
  /** How the consumers share the channel's send rate, when it has one. */
  readonly sendRatePlan: SendRatePlan | undefined;

  constructor(scope: Construct, id: string, props: ChannelPipelineProps) {
    validateProps(props);
    const {
      delivery,
      directoryTable,
      deliveryTable,
      maxConcurrency = DEFAULT_MAX_CONCURRENCY[props.delivery.channel],
      memorySize = DEFAULT_CONSUMER_MEMORY_MB,
      logRetention = RetentionDays.ONE_MONTH,
      sendRate,
      ...queueProps
    } = props;
    super(scope, id, { ...queueProps, channel: delivery.channel });
    const plan =
      sendRate === undefined
        ? undefined
        : planSendRate({ ratePerSecond: sendRate, maxInstances: maxConcurrency, timeoutSeconds: QUEUE_SETTINGS.consumerTimeoutSeconds });
    this.sendRatePlan = plan;

    const consumer = CONSUMERS[delivery.channel];
    this.consumer = new RelayFunction(this, 'Consumer', {
      description: `cometchat-relay: ${consumer.does} (${consumer.provider})`,
      roleDescription: `cometchat-relay ${delivery.channel} consumer: its queue, ${consumer.tables}, ${consumer.provider}`,
      entry: consumer.entry,
      memorySize,
      // The queue's visibility timeout is six times this (queue-settings.ts), as AWS advises for SQS event sources.
      timeout: Duration.seconds(QUEUE_SETTINGS.consumerTimeoutSeconds),
      logRetention,
      environment: {
        // The events consumer reads no directory: it gets no variable (and no permission) for it.
        ...(directoryTable === undefined || delivery.channel === 'events' ? {} : { DIRECTORY_TABLE: directoryTable.tableName }),
        DELIVERY_TABLE: deliveryTable.tableName,
        ...channelEnvironment(delivery),
        // The consumer's share of the send rate, and its own queue, where throttled records are put back (throttle-deferral.ts).
        ...(plan === undefined
          ? {}
          : { SEND_RATE_LIMIT: String(plan.limit), SEND_RATE_WINDOW_MS: String(plan.windowMs), QUEUE_URL: this.queue.queueUrl }),
      },
    });

    this.consumer.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...DELIVERY_TABLE_ACTIONS], resources: [deliveryTable.tableArn] }),
    );
    this.grantDelivery(delivery, directoryTable);

    // Receive, delete and change-visibility permissions on `queue` come with the event source; a throttled record
    // on its last receive is sent back to the same queue as a delayed copy.
    if (plan !== undefined) this.queue.grantSendMessages(this.consumer);
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: plan?.batchSize ?? CONSUMER_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: plan?.instances ?? maxConcurrency,
    });
    this.consumer.addEventSource(this.eventSource);
  }

  /** What the consumer of `delivery.channel` may touch besides its queue and the delivery table. */
  private grantDelivery(delivery: ChannelDelivery, directoryTable: ITable | undefined): void {
    const allow = (actions: string[], resources: string[]) =>
      this.consumer.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));

    if (delivery.channel === 'events') {
      allow(['sns:Publish'], [delivery.topic.topicArn]);
      const key = delivery.topic.masterKey;
      if (key === undefined) return;
      this.consumer.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...ENCRYPTED_TOPIC_PUBLISH_KEY_ACTIONS],
          resources: [key.keyArn],
          // Only as SNS uses it to encrypt what the consumer publishes, never to decrypt anything directly.
          conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
      return;
    }
    // validateProps made sure every delivery channel has its directory.
    if (directoryTable === undefined) return;

    switch (delivery.channel) {
      case 'push': {
        // Query: every device of the uid; DeleteItem: a device whose endpoint the provider reports dead.
        allow(['dynamodb:Query', 'dynamodb:DeleteItem'], [directoryTable.tableArn]);
        const applicationArns = configuredApplicationArns(delivery.platformApplicationArns ?? {});
        if (applicationArns.length === 0) return;
        const endpointPatterns = applicationArns.map(endpointArnPattern);
        this.addAcknowledgedPolicy(
          'EndpointPolicy',
          new PolicyStatement({
            effect: Effect.ALLOW,
            // Publish only: a dead endpoint is removed from the directory here, and deleted by the directory function.
            actions: ['sns:Publish'],
            resources: endpointPatterns,
          }),
          endpointPatterns,
          'SNS generates each platform endpoint id when a device registers, so the endpoints cannot be named in advance; ' +
            'the wildcard covers only endpoints under one configured platform application (never topics or phone numbers).',
        );
        return;
      }
      case 'sms': {
        allow(['dynamodb:GetItem'], [directoryTable.tableArn]);
        this.addAcknowledgedPolicy(
          'SmsPolicy',
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'],
            resources: ['*'],
          }),
          ['*'],
          'SNS authorizes a Publish to a phone number, and CheckIfPhoneNumberIsOptedOut, against no resource ARN: ' +
            'IAM only accepts "*" for them. The statement is limited to these two actions, in a policy of its own.',
        );
        // "*" above would also let it publish to any topic or platform endpoint, which are addressed by ARN: deny those.
        this.consumer.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: ['sns:Publish'],
            resources: [`arn:${Stack.of(this).partition}:sns:*:*:*`],
          }),
        );
        return;
      }
      case 'email': {
        allow(['dynamodb:GetItem'], [directoryTable.tableArn]);
        if (delivery.senderEmail === undefined) return;
        const stack = Stack.of(this);
        // SES authorizes SendEmail against the sender's identity (the address or its domain) and, while the account is
        // in the SES sandbox, against each recipient's verified identity too: any identity, but only as this sender.
        const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
        const configurationSets =
          delivery.configurationSetName === undefined
            ? []
            : [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: delivery.configurationSetName })];
        this.addAcknowledgedPolicy(
          'EmailPolicy',
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['ses:SendEmail'],
            resources: [identities, ...configurationSets],
            conditions: { StringEquals: { 'ses:FromAddress': delivery.senderEmail } },
          }),
          // cdk-nag names the finding with the ARN's pseudo parameters written out.
          ['arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*'],
          'In the SES sandbox, SendEmail is also authorized against every recipient identity, which the relay cannot list ' +
            'in advance; the ses:FromAddress condition keeps it to the configured sender.',
        );
        return;
      }
    }
  }

  /**
   * Attaches `statement` as a policy of its own, so that the acknowledgement of
   * its wildcard resources covers that statement and nothing else on the role.
   */
  private addAcknowledgedPolicy(id: string, statement: PolicyStatement, wildcardResources: string[], reason: string): void {
    const policy = new Policy(this, id, { roles: [this.consumer.executionRole], statements: [statement] });
    // The consumer must not start polling before it may deliver.
    this.consumer.node.addDependency(policy);
    Validations.of(policy).acknowledge(
      ...wildcardResources.map((resource) => ({ id: `AwsSolutions-IAM5[Resource::${nagResource(resource)}]`, reason })),
    );
  }
}

/** Each channel's consumer: its handler, and what it does and touches (for the Lambda and IAM consoles). */
const CONSUMERS: Readonly<Record<Channel, { entry: string; does: string; tables: string; provider: string }>> = {
  push: {
    entry: 'functions/consumers/push-handler.ts',
    does: 'delivers queued push notifications',
    tables: 'the directory and delivery tables',
    provider: 'SNS mobile push',
  },
  sms: {
    entry: 'functions/consumers/sms-handler.ts',
    does: 'delivers queued sms notifications',
    tables: 'the directory and delivery tables',
    provider: 'SNS SMS',
  },
  email: {
    entry: 'functions/consumers/email-handler.ts',
    does: 'delivers queued email notifications',
    tables: 'the directory and delivery tables',
    provider: 'SES v2',
  },
  events: {
    entry: 'functions/events/consumer-handler.ts',
    does: 'publishes queued CometChat message events',
    tables: 'the delivery table',
    provider: 'the message-events SNS topic',
  },
};

/** The channel's own settings; an unset one is an empty string, so the function can tell "unset" from "missing". */
const channelEnvironment = (delivery: ChannelDelivery): Record<string, string> => {
  switch (delivery.channel) {
    case 'push':
      return {};
    case 'sms':
      return {
        SMS_SENDER_ID: delivery.senderId ?? '',
        SMS_ORIGINATION_NUMBER: delivery.originationNumber ?? '',
        SMS_MAX_PRICE: delivery.maxPrice ?? '',
      };
    case 'email':
      return { SENDER_EMAIL: delivery.senderEmail ?? '', SES_CONFIGURATION_SET: delivery.configurationSetName ?? '' };
    case 'events':
      return { EVENTS_TOPIC_ARN: delivery.topic.topicArn };
  }
};

/** Enough of an address to take its domain apart; the configuration checks it fully. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const validateProps = (props: ChannelPipelineProps): void => {
  const { delivery, directoryTable, deliveryTable, maxConcurrency, memorySize } = props;
  if (deliveryTable === undefined) throw new Error('ChannelPipeline: deliveryTable is required');
  if (directoryTable === undefined && delivery.channel !== 'events') {
    throw new Error(`ChannelPipeline: directoryTable is required by the ${delivery.channel} delivery`);
  }
  if (
    maxConcurrency !== undefined &&
    !(Number.isInteger(maxConcurrency) && maxConcurrency >= MAX_CONCURRENCY_MIN && maxConcurrency <= MAX_CONCURRENCY_MAX)
  ) {
    throw new Error(
      `ChannelPipeline: maxConcurrency must be a whole number from ${MAX_CONCURRENCY_MIN} to ${MAX_CONCURRENCY_MAX} ` +
        `(Lambda's bounds for an SQS event source), got ${maxConcurrency}`,
    );
  }
  if (memorySize !== undefined && !(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10_240)) {
    throw new Error(`ChannelPipeline: memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}`);
  }
  // Lambda's advice for SQS event sources; both come from queue-settings.ts, this keeps a later edit honest.
  if (visibilityTimeoutSeconds() < 6 * QUEUE_SETTINGS.consumerTimeoutSeconds) {
    throw new Error('ChannelPipeline: the queue visibility timeout must be at least six times the consumer timeout');
  }
  const fail = (key: string, expected: string, value: unknown) => {
    throw new Error(`ChannelPipeline: delivery.${key} must be ${expected}, got ${JSON.stringify(value)}`);
  };
  switch (delivery.channel) {
    case 'push':
      checkPlatformApplicationArns('ChannelPipeline', delivery.platformApplicationArns ?? {});
      return;
    case 'sms':
      if (delivery.senderId !== undefined && !SMS_SENDER_ID.test(delivery.senderId)) {
        fail('senderId', '1 to 11 letters and digits with at least one letter', delivery.senderId);
      }
      if (delivery.originationNumber !== undefined && !E164.test(delivery.originationNumber)) {
        fail('originationNumber', 'an E.164 phone number such as "+14155550100"', delivery.originationNumber);
      }
      if (delivery.maxPrice !== undefined && !(USD_PRICE.test(delivery.maxPrice) && Number(delivery.maxPrice) > 0)) {
        fail('maxPrice', 'a price in USD above 0 such as "0.50"', delivery.maxPrice);
      }
      return;
    case 'email':
      if (delivery.senderEmail !== undefined && !EMAIL_ADDRESS.test(delivery.senderEmail)) {
        fail('senderEmail', 'an email address', delivery.senderEmail);
      }
      // A token is the name of a configuration set the stack creates (SesFeedback), which CloudFormation names.
      if (
        delivery.configurationSetName !== undefined &&
        !Token.isUnresolved(delivery.configurationSetName) &&
        !SES_CONFIGURATION_SET_NAME.test(delivery.configurationSetName)
      ) {
        fail(
          'configurationSetName',
          'an SES configuration set name (1 to 64 letters, digits, "_" and "-")',
          delivery.configurationSetName,
        );
      }
      return;
    case 'events':
      if (delivery.topic === undefined) throw new Error('ChannelPipeline: delivery.topic is required by the events delivery');
      return;
    default:
      throw new Error(`ChannelPipeline: unknown channel ${JSON.stringify((delivery as { channel: unknown }).channel)}`);
  }
};
