import { Annotations, CfnOutput, Duration, Stack, type StackProps, Tags, Token } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BEFORE_MESSAGE_PATH } from '../functions/before-message/before-message-webhook.ts';
import { CHANNEL_ROUTES, CHANNELS, type Channel, DELIVERY_CHANNELS } from '../functions/shared/channels.ts';
import { ConfigError, loadConfig, parsePlatformApplicationArn, type RelayConfig } from './config.ts';
import { BeforeMessageWebhook } from './constructs/before-message-webhook.ts';
import { type ChannelDelivery, ChannelPipeline } from './constructs/channel-pipeline.ts';
import { enableDirectIngestConsumer } from './constructs/direct-ingest.ts';
import { DirectoryApi } from './constructs/directory-api.ts';
import { FEEDBACK_MAX_MESSAGE_AGE, type FeedbackPipeline } from './constructs/feedback-pipeline.ts';
import { CustomDomain, checkCertificateRegion } from './constructs/custom-domain.ts';
import { IngestApi } from './constructs/ingest-api.ts';
import { MessageEventsTopic } from './constructs/message-events-topic.ts';
import { PlatformApplications, platformsWithCredentials, stackOwnedApplicationArns } from './constructs/platform-applications.ts';
import { type MonitoredQueue, Observability } from './constructs/observability.ts';
import { PUSH_FEEDBACK_EVENT_ATTRIBUTES, PushFeedback } from './constructs/push-feedback.ts';
import { RelayTables } from './constructs/relay-tables.ts';
import { SesFeedback } from './constructs/ses-feedback.ts';
import { loadPolicyForSynth } from './policy-file.ts';
import { WEBHOOK_URL_TAG } from './stack-tags.ts';
import { reserveConcurrency, throttleRoutes } from './constructs/abuse-limits.ts';
import { DIRECTORY_ROUTES } from '../functions/directory/directory-api.ts';
import { directoryRouteKey } from '../functions/directory/directory-routes.ts';

export interface RelayStackProps extends StackProps {
  /**
   * The relay configuration.
   *
   * @default - read and validated from the CDK context key `cometchat-relay` (`loadConfig(this)`)
   */
  readonly config?: RelayConfig;
}

const OUTPUT_PREFIX: Readonly<Record<Channel, string>> = { push: 'Push', sms: 'Sms', email: 'Email', events: 'Events' };

/** Where each webhook URL goes in the CometChat dashboard. */
const WEBHOOK_URL_DESCRIPTION: Readonly<Record<Channel, string>> = {
  push: 'Paste into CometChat: Notifications › push › custom provider URL',
  sms: 'Paste into CometChat: Notifications › sms › custom provider URL',
  email: 'Paste into CometChat: Notifications › email › custom provider URL',
  events: 'Paste into CometChat: Webhooks › URL of an after_message webhook, or of the newer message_sent/edited/deleted events',
};

/** Id of the synth warning shown while `senderEmail` is not configured. */
export const SENDER_EMAIL_MISSING_WARNING = 'cometchat-relay:senderEmailMissing';

/**
 * The whole relay in one stack: the validated configuration, the tables, one
 * pipeline (queue, DLQ, consumer) per channel (push, SMS, email, and message
 * events published to the message-events topic), the feedback loops (SES
 * bounces and complaints, push endpoint events) that keep the directory
 * deliverable, the HTTP API that serves the webhooks (ingest functions filling
 * the queues, and the before_message policy) and the directory, and the
 * alarms and dashboard that operate it.
 */
export class RelayStack extends Stack {
  /** The configuration this stack was built from, defaults filled in. */
  readonly config: RelayConfig;
  /** The directory and the idempotency records. */
  readonly tables: RelayTables;
  /** The SNS topic message events are published to, for the user's own subscribers. */
  readonly messageEvents: MessageEventsTopic;
  /** Each channel's queue, dead-letter queue and consumer. */
  readonly pipelines: Readonly<Record<Channel, ChannelPipeline>>;
  /** The webhook HTTP API, its secret and its ingest functions. */
  readonly ingestApi: IngestApi;
  /** The before_message route, its function and the bundled policy. */
  readonly beforeMessage: BeforeMessageWebhook;
  /** The directory routes on the same HTTP API, the admin token and the directory function. */
  readonly directoryApi: DirectoryApi;
  /** The SES configuration set in use, and the loop that marks bounced and complaining addresses undeliverable. */
  readonly sesFeedback: SesFeedback;
  /** The loop that removes devices whose platform endpoint was disabled; undefined when `pushFeedback` is false. */
  readonly pushFeedback: PushFeedback | undefined;
  /** The alarms, their topic and the dashboard. */
  readonly observability: Observability;
  /** The HTTP API's custom domain; undefined unless `domainName` is configured. */
  readonly customDomain: CustomDomain | undefined;
  /** The SNS platform applications the stack creates from `pushCredentials`; undefined when none is configured. */
  readonly platformApplications: PlatformApplications | undefined;

  constructor(scope: Construct, id: string, props: RelayStackProps = {}) {
    super(scope, id, {
      description:
        'cometchat-relay: CometChat push, SMS and email webhooks delivered through SQS, SNS and SES, and message webhooks',
      ...props,
    });
    this.config = props.config ?? loadConfig(this);
    const config = this.config;
    checkPlatformApplicationsAreHere(this, config);
    if (config.certificateArn !== undefined) checkCertificateRegion(this, config.certificateArn);
    // Before anything is built (or bundled): a broken policy fails synth at once, naming policyFile.
    const policy = config.policyFile === undefined ? undefined : loadPolicyForSynth(config.policyFile);
    // LOG_RETENTION_DAYS holds exactly the values CloudWatch accepts, which are RetentionDays' values.
    const logRetention = config.logRetentionDays as RetentionDays;

    this.tables = new RelayTables(this, 'Tables', {
      tableNamePrefix: this.stackName,
      existingDirectoryTableName: config.directoryTableName,
    });
    this.messageEvents = new MessageEventsTopic(this, 'MessageEvents', { topicNamePrefix: this.stackName });
    // Before the email pipeline: every email is sent with the configuration set whose events it feeds back.
    this.sesFeedback = new SesFeedback(this, 'SesFeedback', {
      namePrefix: this.stackName,
      directoryTable: this.tables.directoryTable,
      configurationSetName: config.sesConfigurationSet,
      logRetention,
    });

    // The applications the stack creates from pushCredentials are used exactly like configured ones.
    const platformApplicationArns = {
      ...config.platformApplicationArns,
      ...stackOwnedApplicationArns(this, Stack.of(this).stackName, config.pushCredentials),
    };
    const deliveries: Readonly<Record<Channel, ChannelDelivery>> = {
      push: { channel: 'push', platformApplicationArns },
      sms: { channel: 'sms', ...config.sms },
      email: { channel: 'email', senderEmail: config.senderEmail, configurationSetName: this.sesFeedback.configurationSetName },
      events: { channel: 'events', topic: this.messageEvents.topic },
    };
    const pipelines = {} as Record<Channel, ChannelPipeline>;
    for (const channel of CHANNELS) {
      // The id is the one the queues had before consumers joined them: renaming it would replace the named queues.
      pipelines[channel] = new ChannelPipeline(this, `${OUTPUT_PREFIX[channel]}Queue`, {
        delivery: deliveries[channel],
        queueNamePrefix: this.stackName,
        directoryTable: this.tables.directoryTable,
        deliveryTable: this.tables.deliveryTable,
        maxConcurrency: config.maxConcurrency[channel],
        ...(channel === 'events' ? {} : { sendRate: config.sendRates[channel] }),
        logRetention,
      });
    }
    this.pipelines = pipelines;

    this.pushFeedback = config.pushFeedback
      ? new PushFeedback(this, 'PushFeedback', {
          namePrefix: this.stackName,
          directoryTable: this.tables.directoryTable,
          platformApplicationArns,
          logRetention,
        })
      : undefined;

    this.platformApplications =
      platformsWithCredentials(config.pushCredentials).length > 0
        ? new PlatformApplications(this, 'PlatformApplications', {
            credentials: config.pushCredentials,
            namePrefix: Stack.of(this).stackName,
            ...(this.pushFeedback ? { eventTopic: this.pushFeedback.topic } : {}),
            successFeedbackSampleRate: config.pushSuccessSampleRate,
            logRetention,
          })
        : undefined;

    this.ingestApi = new IngestApi(this, 'IngestApi', {
      queues: {
        push: pipelines.push.queue,
        sms: pipelines.sms.queue,
        email: pipelines.email.queue,
        events: pipelines.events.queue,
      },
      appId: config.appId,
      maxBodyBytes: config.maxBodyBytes,
      memorySize: config.ingestMemoryMb,
      logRetention,
      throttle: { rateLimit: config.api.throttleRateLimit, burstLimit: config.api.throttleBurstLimit },
      ingest: config.ingest,
    });
    if (config.ingest === 'direct') {
      for (const channel of DELIVERY_CHANNELS) {
        enableDirectIngestConsumer(pipelines[channel].consumer, { deadLetterQueue: pipelines[channel].deadLetterQueue, appId: config.appId });
      }
    }

    this.beforeMessage = new BeforeMessageWebhook(this, 'BeforeMessage', {
      httpApi: this.ingestApi.httpApi,
      webhookSecret: this.ingestApi.webhookSecret,
      policy,
      appId: config.appId,
      maxBodyBytes: config.maxBodyBytes,
      memorySize: config.ingestMemoryMb,
      logRetention,
    });

    this.directoryApi = new DirectoryApi(this, 'DirectoryApi', {
      httpApi: this.ingestApi.httpApi,
      directoryTable: this.tables.directoryTable,
      platformApplicationArns,
      logRetention,
    });
    if (this.platformApplications) {
      // Devices register and pushes go out only once the applications exist.
      this.directoryApi.directoryFunction.node.addDependency(this.platformApplications);
      pipelines.push.consumer.node.addDependency(this.platformApplications);
    }

    this.customDomain =
      config.domainName === undefined || config.certificateArn === undefined
        ? undefined
        : new CustomDomain(this, 'CustomDomain', {
            httpApi: this.ingestApi.httpApi,
            stage: this.ingestApi.stage,
            domainName: config.domainName,
            certificateArn: config.certificateArn,
            hostedZoneId: config.hostedZoneId,
            hostedZoneName: config.hostedZoneName,
          });
    // With a custom domain, every URL to paste is on it: the API's own host changes when the API is replaced.
    const publicUrl = (path: string, apiUrl: string): string => (this.customDomain ? `${this.customDomain.url}${path}` : apiUrl);

    // `npm run send -- --stack <name>` finds the URL here, beside the credentials it reads anyway.
    Tags.of(this.ingestApi.webhookSecret).add(WEBHOOK_URL_TAG, publicUrl('', this.ingestApi.httpApi.apiEndpoint));

    // Abuse limits (README "Abuse limits"): the directory routes far below the webhook routes, each throttled on
    // its own, and reserved concurrency when configured, so a flood on one route cannot starve CometChat's.
    throttleRoutes(
      this.ingestApi.stage,
      // DirectoryApi adds one route per entry of DIRECTORY_ROUTES, in that order.
      DIRECTORY_ROUTES.flatMap((entry, index) => {
        const route = this.directoryApi.routes[index];
        return route ? [{ key: directoryRouteKey(entry), route }] : [];
      }),
      { rateLimit: config.api.directoryThrottleRateLimit, burstLimit: config.api.directoryThrottleBurstLimit },
    );
    for (const fn of [...Object.values(this.ingestApi.functions), this.beforeMessage.handlerFunction]) {
      reserveConcurrency(fn, config.reservedConcurrency.webhooks);
    }
    reserveConcurrency(this.directoryApi.directoryFunction, config.reservedConcurrency.directory);

    const monitoredChannel = (channel: Channel): MonitoredQueue => ({
      name: channel,
      queue: pipelines[channel].queue,
      deadLetterQueue: pipelines[channel].deadLetterQueue,
      consumer: pipelines[channel].consumer,
      maxMessageAge: Duration.seconds(config.alarms.oldestMessageAgeSeconds[channel]),
    });
    const monitoredFeedback = ({ source, queue, deadLetterQueue, consumer }: FeedbackPipeline): MonitoredQueue => ({
      name: `${source}-feedback`,
      queue,
      deadLetterQueue,
      consumer,
      maxMessageAge: FEEDBACK_MAX_MESSAGE_AGE,
    });
    this.observability = new Observability(this, 'Observability', {
      namePrefix: this.stackName,
      stage: this.ingestApi.stage,
      channels: {
        push: monitoredChannel('push'),
        sms: monitoredChannel('sms'),
        email: monitoredChannel('email'),
        events: monitoredChannel('events'),
      },
      ingestFunctions: this.ingestApi.functions,
      feedback: [this.sesFeedback.pipeline, ...(this.pushFeedback ? [this.pushFeedback.pipeline] : [])].map(monitoredFeedback),
      alarmEmail: config.alarms.email,
      smsMonthlySpendUsd: config.alarms.smsMonthlySpendUsd,
      ingestLatencyP99: Duration.millis(config.alarms.ingestLatencyP99Ms),
    });

    if (config.senderEmail === undefined) {
      Annotations.of(this).addWarningV2(
        SENDER_EMAIL_MISSING_WARNING,
        'senderEmail is not configured: every email notification will fail and end in the email DLQ until it is set ' +
          `(-c cometchat-relay.senderEmail=<address verified in SES>, or "senderEmail" under "cometchat-relay" in cdk.json).`,
      );
    }

    for (const channel of CHANNELS) {
      new CfnOutput(this, `${OUTPUT_PREFIX[channel]}WebhookUrl`, {
        description: WEBHOOK_URL_DESCRIPTION[channel],
        value: publicUrl(CHANNEL_ROUTES[channel], this.ingestApi.webhookUrls[channel]),
      });
    }
    new CfnOutput(this, 'BeforeMessageWebhookUrl', {
      description: 'Paste into CometChat: Webhooks › URL of the before_message webhook',
      value: publicUrl(BEFORE_MESSAGE_PATH, this.beforeMessage.webhookUrl),
    });
    new CfnOutput(this, 'MessageEventsTopicArn', {
      description:
        'SNS topic of normalised message events (docs/events.md): subscribe your services, filtering on message attributes',
      value: this.messageEvents.topic.topicArn,
    });
    new CfnOutput(this, 'WebhookSecretName', {
      description: 'Secrets Manager secret with the Basic Auth username/password to paste into CometChat',
      value: this.ingestApi.webhookSecret.secretName,
    });
    new CfnOutput(this, 'DirectoryApiUrl', {
      description: 'Base URL of the directory API (/users/{uid}/devices/{deviceId}, /users/{uid}/contact) for your backend',
      value: publicUrl('', this.directoryApi.apiUrl),
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: "The relay's CloudWatch dashboard: requests → queues → deliveries, latency, DLQs, alarms (docs/alarms.md)",
      value: this.observability.dashboardUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic every alarm notifies (docs/alarms.md): subscribe your on-call email, chat or pager to it',
      value: this.observability.alarmTopic.topicArn,
    });
    new CfnOutput(this, 'SesConfigurationSetName', {
      description: 'SES configuration set every email is sent with; its bounces and complaints mark contacts undeliverable',
      value: this.sesFeedback.configurationSetName,
    });
    if (this.pushFeedback) {
      new CfnOutput(this, 'PushFeedbackTopicArn', {
        description:
          `Set as ${PUSH_FEEDBACK_EVENT_ATTRIBUTES.join(' and ')} of each SNS platform application, so that dead ` +
          'devices are removed (docs/feedback.md)',
        value: this.pushFeedback.topic.topicArn,
      });
    }
    new CfnOutput(this, 'DirectoryTableName', {
      description:
        'DynamoDB table of devices and contacts; kept by cdk destroy: set directoryTableName to it to deploy again on top (README, Tear-down)',
      value: this.tables.directoryTable.tableName,
    });
    if (this.customDomain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        description: `Point ${this.customDomain.domain.name} here (CNAME or alias) unless hostedZoneId is set: API Gateway's regional endpoint`,
        value: this.customDomain.domain.regionalDomainName,
      });
    }
    new CfnOutput(this, 'AdminTokenSecretName', {
      description:
        'Secrets Manager secret with {"token"}: your backend sends it as "Authorization: Bearer <token>" to the directory API',
      value: this.directoryApi.adminTokenSecret.secretName,
    });
  }
}

/**
 * The functions call SNS in the stack's own account and region, where the
 * platform applications must therefore live. Checked when the stack has an
 * explicit environment; an environment-agnostic stack learns it at deploy time.
 */
const checkPlatformApplicationsAreHere = (stack: Stack, config: RelayConfig): void => {
  const problems = Object.entries(config.platformApplicationArns).flatMap(([platform, arn]) => {
    const parts = arn === undefined ? undefined : parsePlatformApplicationArn(arn);
    if (!parts) return [];
    const elsewhere = [
      !Token.isUnresolved(stack.region) && parts.region !== stack.region ? `region ${parts.region}` : undefined,
      !Token.isUnresolved(stack.account) && parts.account !== stack.account ? `account ${parts.account}` : undefined,
    ].filter((where) => where !== undefined);
    return elsewhere.length === 0
      ? []
      : [
          `platformApplicationArns.${platform}: is in ${elsewhere.join(' and ')}, but the stack deploys to ` +
            `account ${stack.account} region ${stack.region}: use the platform application of the deployment's account and region`,
        ];
  });
  if (problems.length > 0) throw new ConfigError(problems);
};
