import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CHANNELS, type Channel } from '../functions/shared/channels.ts';
import { loadConfig, type RelayConfig } from './config.ts';
import { ChannelQueue } from './constructs/channel-queue.ts';
import { IngestApi } from './constructs/ingest-api.ts';

export interface RelayStackProps extends StackProps {
  /**
   * The relay configuration.
   *
   * @default - read and validated from the CDK context key `cometchat-relay` (`loadConfig(this)`)
   */
  readonly config?: RelayConfig;
}

const OUTPUT_PREFIX: Readonly<Record<Channel, string>> = { push: 'Push', sms: 'Sms', email: 'Email' };

/**
 * The whole relay in one stack: the validated configuration, one queue (with
 * DLQ) per channel, and the webhook API whose ingest functions fill them.
 * Later constructs (consumers, directory, observability) attach to the public
 * references below.
 */
export class RelayStack extends Stack {
  /** The configuration this stack was built from, defaults filled in. */
  readonly config: RelayConfig;
  /** Each channel's queue and dead-letter queue. */
  readonly channelQueues: Readonly<Record<Channel, ChannelQueue>>;
  /** The webhook HTTP API, its secret and its ingest functions. */
  readonly ingestApi: IngestApi;

  constructor(scope: Construct, id: string, props: RelayStackProps = {}) {
    super(scope, id, {
      description: 'cometchat-relay: CometChat push, SMS and email webhooks delivered through SQS, SNS and SES',
      ...props,
    });
    this.config = props.config ?? loadConfig(this);

    const channelQueues = {} as Record<Channel, ChannelQueue>;
    for (const channel of CHANNELS) {
      channelQueues[channel] = new ChannelQueue(this, `${OUTPUT_PREFIX[channel]}Queue`, {
        channel,
        queueNamePrefix: this.stackName,
      });
    }
    this.channelQueues = channelQueues;

    this.ingestApi = new IngestApi(this, 'IngestApi', {
      queues: { push: channelQueues.push.queue, sms: channelQueues.sms.queue, email: channelQueues.email.queue },
      appId: this.config.appId,
      maxBodyBytes: this.config.maxBodyBytes,
      memorySize: this.config.ingestMemoryMb,
      // LOG_RETENTION_DAYS holds exactly the values CloudWatch accepts, which are RetentionDays' values.
      logRetention: this.config.logRetentionDays as RetentionDays,
    });

    for (const channel of CHANNELS) {
      new CfnOutput(this, `${OUTPUT_PREFIX[channel]}WebhookUrl`, {
        description: `Paste into CometChat: Notifications › ${channel} › custom provider URL`,
        value: this.ingestApi.webhookUrls[channel],
      });
    }
    new CfnOutput(this, 'WebhookSecretName', {
      description: 'Secrets Manager secret with the Basic Auth username/password to paste into CometChat',
      value: this.ingestApi.webhookSecret.secretName,
    });
  }
}
