import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createBeforeMessageHandler, beforeMessageLambdaRoute } from '../../functions/before-message/before-message-webhook.ts';
import { createEmailConsumer, createPushConsumer, createSmsConsumer } from '../../functions/consumers/channel-consumers.ts';
import { eventOutcomeCounter } from '../../functions/events/metrics.ts';
import { createEventsConsumer } from '../../functions/events/publish-event.ts';
import { snsEventPublisher } from '../../functions/shared/sns-event-publisher.ts';
import { startEventRecorder } from './event-recorder.ts';
import { createDirectoryHandler, directoryLambdaRoutes } from '../../functions/directory/directory-api.ts';
import { staticAdminTokenSource } from '../../functions/directory/admin-auth.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import type { CompiledPolicy } from '../../functions/policy/policy-schema.ts';
import { DEFAULT_POLICY } from '../../functions/policy/policy-schema.ts';
import { sesEmailSender, snsPushSender, snsSmsSender } from '../../functions/shared/aws-senders.ts';
import type { BasicCredentials } from '../../functions/shared/basic-auth.ts';
import { CHANNEL_ROUTES, CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import { createDocumentClient } from '../../functions/shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../../functions/shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import type { Platform } from '../../functions/shared/ports/directory.ts';
import { snsPlatformEndpoints } from '../../functions/shared/sns-platform-endpoints.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { type ChannelQueues, createChannelQueues } from './channel-queues.ts';
import type { EmulatorEndpoints, RunningEmulators } from './emulators.ts';
import { startEmulatorsThread } from './emulators-thread.ts';
import { localClientConfig } from './local-aws.ts';
import { type LambdaRoute, type LocalRoute, startLocalServer, writeJson } from './local-server.ts';
import { clearOutbox, type OutboxSources, readOutbox } from './outbox.ts';
import { type SqsBatchHandler, type SqsPoller, startSqsPoller } from './sqs-poller.ts';
import { createTables, type LocalTableNames } from './tables.ts';
import { createLocalPlatformApplications } from './platform-applications.ts';
import { snsEmulatorClient } from './sns-emulator-client.ts';
import { LOCAL_DEFAULTS } from './local-defaults.ts';
import { type LocalFeedback, startLocalFeedback } from './feedback.ts';
import { emfMetrics, type RelayMetrics } from '../../functions/shared/metrics.ts';
import { redact, redactText } from '../../functions/shared/redact.ts';
import { logger as sharedLogger } from '../../functions/shared/powertools.ts';
import { type ActivityLog, createActivityLog, recordingEventLogger, recordWebhooks } from './activity.ts';
import { consoleRoutes } from './console/console-routes.ts';
import { acquireDataLock } from './data-lock.ts';
import { restoreQueueSnapshot, saveQueueSnapshot } from './queue-snapshot.ts';
import { join } from 'node:path';
import { createWebhookAuthorizer } from '../../functions/ingest/webhook-authorizer.ts';
import { DELIVERY_CHANNELS } from '../../functions/shared/channels.ts';
import { sqsDeadLetters } from '../../functions/shared/sqs-dead-letters.ts';
import type { IngestMode } from '../config.ts';
import { type DirectIngestStats, directIngestRoutes } from './direct-ingest.ts';
import { type LambdaConcurrency, lambdaConcurrency } from './lambda-concurrency.ts';
import { type IngestBudget, localIngestSqsClient } from './ingest-budget.ts';
import type { DeliveryChannel } from '../../functions/shared/channels.ts';
import { localConsumerLimits, localConsumerRates } from './local-pacing.ts';
import { QUEUE_SETTINGS } from '../../functions/shared/queue-settings.ts';

export { LOCAL_DEFAULTS } from './local-defaults.ts';

/**
 * How long a delivery claim holds locally. As deployed (the ledger's 60 s against the consumer's 30 s
 * timeout), a claim outlives the longest delivery attempt: locally no timeout ends an attempt, and the
 * SDK's retries of a throttled send can outlast the short visibility timeouts tests use, so a lease as
 * short as that would let a redelivery take the claim over and send beside its holder. A record that
 * finds the claim held is put back for seconds (deliver-once.ts), not counted towards the DLQ, so a
 * claim left by a delivery that died mid-way holds its notification back until the lease lapses.
 */
export const ledgerLeaseSeconds = (visibilityTimeoutSeconds: number): number =>
  Math.max(QUEUE_SETTINGS.consumerTimeoutSeconds, Math.floor(visibilityTimeoutSeconds / 3));

export interface LocalStackOptions {
  readonly host?: string;
  /** Port of the relay's HTTP server; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Accepted webhook credentials (one pair, or two to try a rotation). */
  readonly webhookCredentials: readonly BasicCredentials[];
  /** Accepted directory API bearer tokens. Default: the local admin token. */
  readonly adminTokens?: readonly string[];
  /** CometChat app id to enforce, as `appId` does in the deployed stack. */
  readonly appId?: string;
  readonly maxBodyBytes?: number;
  /** Folder for data kept across restarts (directory, SNS endpoints). In memory when absent. */
  readonly dataDir?: string;
  /** Emulators already running (the test suite starts them once); started here when absent. */
  readonly emulators?: EmulatorEndpoints;
  /** Prefix of queue, table and platform application names, so several stacks can share emulators. */
  readonly resourcePrefix?: string;
  readonly visibilityTimeoutSeconds?: number;
  /** Where emails come from (any address works locally). */
  readonly senderEmail?: string;
  readonly sms?: { readonly senderId?: string; readonly originationNumber?: string; readonly maxPrice?: string };
  readonly policy?: CompiledPolicy;
  /** Run the consumers (default true); tests of ingest alone switch them off to read the queues. */
  readonly consumers?: boolean;
  /**
   * Where every handler counts (default: the EMF metrics of the deployed functions, which print nothing
   * while POWERTOOLS_METRICS_DISABLED is set, as `npm start` and the tests set it).
   */
  readonly metrics?: RelayMetrics;
  /** How push, SMS and email webhooks reach their queues, as `ingest` in the deployed stack. Default 'lambda'. */
  readonly ingest?: IngestMode;
  /** Simulate a Lambda concurrency quota (for example 10, a new account's) on the functions the HTTP server invokes. */
  readonly lambdaConcurrency?: number;
  /** Seconds the direct mode's authorizer answers are cached. Default: as deployed. */
  readonly authorizerCacheTtlSeconds?: number;
  /** The ingest path's SQS budget; default the deployed one. For tests only (see ingest-budget.ts). */
  readonly ingestBudget?: IngestBudget;
  /**
   * Sends per second each delivery consumer paces itself to. Default: the rates the local emulators enforce
   * (LOCAL_SES_SEND_RATE, LOCAL_SMS_SEND_RATE; 14 and 20) and the deployed push default.
   */
  readonly sendRates?: Partial<Record<DeliveryChannel, number>>;
}

export interface LocalStack {
  readonly url: string;
  readonly webhookUrls: Readonly<Record<Channel, string>>;
  readonly beforeMessageUrl: string;
  /** The message-events topic subscribers would listen to (on the SQS/SNS-topic emulator). */
  readonly eventsTopicArn: string;
  readonly directoryUrl: string;
  readonly queues: ChannelQueues;
  readonly tables: LocalTableNames;
  readonly platformApplications: Readonly<Record<Platform, string>>;
  readonly endpoints: EmulatorEndpoints;
  readonly outbox: OutboxSources;
  /** The SES and push feedback topics and queues (and the `/_local/ses/*`, `/_local/push/*` routes that publish to them). */
  readonly feedback: Pick<LocalFeedback, 'topicArns' | 'queues'>;
  /** Every webhook answered and every delivery outcome (`GET /_local/activity`, the console). */
  readonly activity: ActivityLog;
  /** With `ingest: "direct"`: how often the emulated API Gateway invoked the authorizer, and used its cache. */
  readonly directIngest?: DirectIngestStats;
  /** With `lambdaConcurrency`: the simulated quota and how many invocations it refused. */
  readonly lambdaConcurrency?: LambdaConcurrency;
  /** Resolves once every queue is empty and no batch is being delivered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole relay on one machine: the emulators, queues and tables created
 * from the deployed definitions, the same handler code behind a local HTTP
 * server that speaks API Gateway's event format, and pollers that feed the
 * consumers real SQS batches.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  // One relay per data folder: a second one says so in one line instead of crashing inside dynalite.
  const lock = options.dataDir && !options.emulators ? acquireDataLock(options.dataDir) : undefined;
  const started: Omit<RunningEmulators, 'sendRates'> | undefined = options.emulators
    ? undefined
    : // On a thread of their own, as AWS's services are not on the relay's event loop (emulators-thread.ts).
      await startEmulatorsThread(options.dataDir ? { dataDir: options.dataDir } : {}).catch((error: unknown) => {
        lock?.release();
        throw error;
      });
  const endpoints = options.emulators ?? (started as Omit<RunningEmulators, 'sendRates'>).endpoints;
  const prefix = options.resourcePrefix ?? LOCAL_DEFAULTS.resourcePrefix;
  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await started?.stop();
    lock?.release();
  };

  try {
    const sqsConfig = { ...localClientConfig(endpoints.sqs), useQueueUrlAsEndpoint: false };
    const sqs = new SQSClient(sqsConfig);
    const dynamodbClient = new DynamoDBClient(localClientConfig(endpoints.dynamodb));
    const dynamodb = createDocumentClient(localClientConfig(endpoints.dynamodb));
    const sns = new SNSClient(localClientConfig(endpoints.sns));
    // SNS topics live in fauxqs, beside SQS; mobile push and SMS in the project's own emulator.
    const topics = new SNSClient(localClientConfig(endpoints.sqs));
    const ses = new SESv2Client(localClientConfig(endpoints.ses));
    const ingestSqs = localIngestSqsClient(localClientConfig(endpoints.sqs), options.ingestBudget);
    // The push credentials of the local platform applications (npm run push-credentials -- ... --local).
    const secrets = new SecretsManagerClient(localClientConfig(endpoints.secretsmanager));
    cleanups.push(() => {
      for (const client of [sqs, dynamodbClient, dynamodb, sns, topics, ses, ingestSqs, secrets]) client.destroy();
    });

    const [queues, tables, platformApplications, events] = await Promise.all([
      createChannelQueues({
        sqs,
        prefix,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? LOCAL_DEFAULTS.visibilityTimeoutSeconds,
      }),
      createTables({ dynamodb: dynamodbClient, prefix }),
      createLocalPlatformApplications({ sns, secrets, topics, prefix }),
      startEventRecorder({ sns: topics, sqs, prefix }),
    ]);
    cleanups.push(() => events.stop());
    const activity = createActivityLog();

    const metrics = options.metrics ? { metrics: options.metrics } : {};
    const counting = options.metrics ?? emfMetrics;
    const credentials = staticCredentialStore(options.webhookCredentials);
    const maxBodyBytes = options.maxBodyBytes ?? LOCAL_DEFAULTS.maxBodyBytes;
    const directory = new DynamoDbDirectory({ client: dynamodb, tableName: tables.directory });
    const ledger = dynamoDbDeliveryLedger({
      client: dynamodb,
      tableName: tables.deliveries,
      leaseSeconds: ledgerLeaseSeconds(options.visibilityTimeoutSeconds ?? LOCAL_DEFAULTS.visibilityTimeoutSeconds),
    });

    // ingest: "direct": API Gateway's SQS integration serves push, SMS and email; the events route keeps its function.
    // Its SendMessage calls get a client of their own, as API Gateway's are not the pollers' (whose long polls hold connections).
    const integrationSqs = new SQSClient(sqsConfig);
    const concurrency = options.lambdaConcurrency === undefined ? undefined : lambdaConcurrency(options.lambdaConcurrency);
    const direct =
      options.ingest === 'direct'
        ? directIngestRoutes({
            channels: DELIVERY_CHANNELS,
            queueUrls: { push: queues.push.url, sms: queues.sms.url, email: queues.email.url },
            sqs: integrationSqs,
            authorizer: createWebhookAuthorizer({ credentials }),
            ...(options.authorizerCacheTtlSeconds === undefined ? {} : { cacheTtlSeconds: options.authorizerCacheTtlSeconds }),
            ...(concurrency ? { lambdaConcurrency: concurrency } : {}),
          })
        : undefined;
    const lambdaIngestChannels = CHANNELS.filter((channel) => !direct || channel === 'events');
    if (direct) cleanups.push(() => integrationSqs.destroy());

    const lambdaRoutes: LambdaRoute[] = [
      ...lambdaIngestChannels.map((channel) => ({
        method: 'POST',
        path: CHANNEL_ROUTES[channel],
        handler: createIngestHandler({
          route: webhookRoute(channel),
          credentials,
          queue: sqsNotificationQueue({
            client: ingestSqs,
            queueUrl: queues[channel].url,
            ...(options.ingestBudget?.deadlineMs === undefined ? {} : { deadlineMs: options.ingestBudget.deadlineMs }),
          }),
          appId: options.appId,
          maxBodyBytes,
          ...metrics,
        }),
      })),
      beforeMessageLambdaRoute(
        createBeforeMessageHandler({
          credentials,
          policy: options.policy ?? DEFAULT_POLICY,
          maxBodyBytes,
          ...(options.appId ? { appId: options.appId } : {}),
          // What the Lambda counts too (functions/before-message/handler.ts).
          onPolicyError: () => counting.policyError(),
          onDecision: (decision) => counting.decision(decision.kind),
          ...metrics,
        }),
      ),
      ...directoryLambdaRoutes(
        createDirectoryHandler({
          adminTokens: staticAdminTokenSource(options.adminTokens ?? [LOCAL_DEFAULTS.adminToken]),
          directory,
          endpoints: snsPlatformEndpoints(sns),
          platformApplications,
          ...metrics,
        }),
      ),
    ];
    // Error messages may quote what a request carried: printed through the shared redaction, like every log line.
    const reportPollerError = (name: string) => (error: unknown) =>
      console.error(`${name} poller:`, redactText(error instanceof Error ? error.message : String(error)));
    const feedback = await startLocalFeedback({
      sqs,
      topics,
      prefix,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? LOCAL_DEFAULTS.visibilityTimeoutSeconds,
      directory,
      endpoints: snsPlatformEndpoints(sns),
      sns: snsEmulatorClient(endpoints.sns),
      sesEndpoint: endpoints.ses,
      senderEmail: options.senderEmail ?? LOCAL_DEFAULTS.senderEmail,
      consumers: options.consumers !== false,
      ...metrics,
      onError: (source, error) => reportPollerError(`${source} feedback`)(error),
    });
    const pollers: SqsPoller[] = [...feedback.pollers];
    // Queues and DLQs kept across a graceful restart (lib/local/queue-snapshot.ts): restored before any
    // channel consumer polls, saved once every poller has stopped (cleanups run in reverse).
    const keptQueues = [...Object.values(queues), ...Object.values(feedback.queues)].flatMap(({ url, deadLetterUrl }) => [url, deadLetterUrl]);
    const snapshotFile = options.dataDir && started ? join(options.dataDir, 'queues.json') : undefined;
    if (snapshotFile) {
      await restoreQueueSnapshot(sqs, keptQueues, snapshotFile);
      cleanups.push(async () => {
        await saveQueueSnapshot(endpoints.sqs, keptQueues, snapshotFile);
      });
    }
    cleanups.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });

    const outbox: OutboxSources = {
      sns: snsEmulatorClient(endpoints.sns),
      sesEndpoint: endpoints.ses,
      events,
      endpointOwners: endpointOwners(dynamodb, tables.directory),
    };
    const localRoutes: LocalRoute[] = [
      {
        // Where the emulators and queues of this stack are, for tools on the same machine (npm run redrive -- <channel> --local).
        method: 'GET',
        path: '/_local/info',
        serve: (_request, response) =>
          writeJson(response, 200, {
            resourcePrefix: prefix,
            endpoints,
            queues,
            feedbackQueues: feedback.queues,
            feedbackTopics: feedback.topicArns,
          }),
      },
      {
        method: 'GET',
        path: '/_local/outbox',
        serve: async (_request, response) => writeJson(response, 200, await readOutbox(outbox)),
      },
      {
        method: 'DELETE',
        path: '/_local/outbox',
        serve: async (_request, response) => {
          await clearOutbox(outbox);
          response.writeHead(204).end();
        },
      },
      ...consoleRoutes({
        activity,
        dynamodb,
        tables,
        sqs,
        sqsEndpoint: endpoints.sqs,
        queues: { ...queues, 'ses-feedback': feedback.queues.ses, 'push-feedback': feedback.queues.push },
        webhookCredentials: options.webhookCredentials,
      }),
    ];

    localRoutes.push(...feedback.routes);
    if (direct) localRoutes.push(...direct.routes);

    if (options.consumers !== false) {
      // What the deployed consumers get with ingest: "direct" (harmless otherwise: only records marked ingest=direct use it).
      const directIngest = (channel: Channel) => ({
        directIngest: {
          deadLetters: sqsDeadLetters({ client: sqs, queueUrl: queues[channel].deadLetterUrl }),
          appId: options.appId,
        },
      });
      // Each channel's share of its provider's rate, and where its throttled records go back (as deployed). SMS and
      // email run two consumer instances, each paced to its half, as the deployed event sources do (push: one).
      const rates = localConsumerRates(options.sendRates);
      const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? LOCAL_DEFAULTS.visibilityTimeoutSeconds;
      const limits = {
        push: localConsumerLimits(sqs, queues.push.url, rates.push, { maxInstances: 1, visibilityTimeoutSeconds }),
        sms: localConsumerLimits(sqs, queues.sms.url, rates.sms, { maxInstances: 2, visibilityTimeoutSeconds }),
        email: localConsumerLimits(sqs, queues.email.url, rates.email, { maxInstances: 2, visibilityTimeoutSeconds }),
      };
      const consumerOf: Record<Channel, () => SqsBatchHandler> = {
        push: () =>
          createPushConsumer({
            directory,
            sender: snsPushSender(sns),
            ledger,
            ...metrics,
            onOutcome: activity.onOutcome,
            ...directIngest('push'),
            ...limits.push.instance(),
          }),
        sms: () =>
          createSmsConsumer({
            directory,
            sender: snsSmsSender(sns),
            ledger,
            options: options.sms ?? {},
            ...metrics,
            onOutcome: activity.onOutcome,
            ...directIngest('sms'),
            ...limits.sms.instance(),
          }),
        email: () =>
          createEmailConsumer({
            directory,
            sender: sesEmailSender({ ses, from: options.senderEmail ?? LOCAL_DEFAULTS.senderEmail }),
            ledger,
            ...metrics,
            onOutcome: activity.onOutcome,
            ...directIngest('email'),
            ...limits.email.instance(),
          }),
        events: () =>
          createEventsConsumer({
            publisher: snsEventPublisher({ client: topics, topicArn: events.topicArn }),
            ledger,
            onOutcome: eventOutcomeCounter(counting),
            logger: recordingEventLogger(sharedLogger, activity),
          }),
      };
      for (const channel of CHANNELS) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queues[channel].url, AttributeNames: ['QueueArn'] }),
        );
        const plan = channel === 'events' ? undefined : limits[channel].plan;
        for (let instance = 0; instance < (plan?.instances ?? 1); instance += 1) {
          pollers.push(
            startSqsPoller({
              sqs,
              queueUrl: queues[channel].url,
              queueArn: Attributes?.QueueArn ?? '',
              handler: consumerOf[channel](),
              ...(plan ? { batchSize: plan.batchSize } : {}),
              onError: reportPollerError(channel),
            }),
          );
        }
      }
    }

    const server = await startLocalServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? LOCAL_DEFAULTS.port,
      lambdaRoutes: recordWebhooks(lambdaRoutes, activity),
      localRoutes,
      onHandlerCrash: (error) => console.error('handler crashed', redact(error)),
      ...(concurrency ? { lambdaConcurrency: concurrency } : {}),
    });
    cleanups.push(() => server.close());

    return {
      url: server.url,
      webhookUrls: Object.fromEntries(CHANNELS.map((channel) => [channel, `${server.url}${CHANNEL_ROUTES[channel]}`])) as Record<
        Channel,
        string
      >,
      beforeMessageUrl: `${server.url}/cometchat/before-message`,
      eventsTopicArn: events.topicArn,
      directoryUrl: `${server.url}/users`,
      queues,
      tables,
      platformApplications,
      endpoints,
      outbox,
      feedback: { topicArns: feedback.topicArns, queues: feedback.queues },
      activity,
      ...(direct ? { directIngest: direct.stats } : {}),
      ...(concurrency ? { lambdaConcurrency: concurrency } : {}),
      async idle() {
        await Promise.all(pollers.map((poller) => poller.idle()));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/**
 * Who owns each push endpoint, for the outbox only: one scan is fine for a
 * local directory, and a deployed relay never needs this lookup. A device
 * removed since its push was sent is not found; its entry shows the ARN.
 */
const endpointOwners = (dynamodb: DynamoDBDocumentClient, tableName: string) => async (): Promise<ReadonlyMap<string, string>> => {
  const owners = new Map<string, string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'attribute_exists(endpointArn)',
        ProjectionExpression: 'uid, endpointArn',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.endpointArn === 'string' && typeof item.uid === 'string') owners.set(item.endpointArn, item.uid);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return owners;
};
