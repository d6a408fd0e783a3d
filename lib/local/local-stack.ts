import { SQSClient } from '@aws-sdk/client-sqs';
import { CHANNEL_ROUTES, CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import type { BasicCredentials } from '../../functions/shared/basic-auth.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { type ChannelQueues, createChannelQueues } from './channel-queues.ts';
import { type EmulatorEndpoints, type RunningEmulators, startEmulators } from './emulators.ts';
import { localClientConfig } from './local-aws.ts';
import { type LambdaRoute, startLocalServer } from './local-server.ts';

export const LOCAL_DEFAULTS = {
  port: 3000,
  webhookUsername: 'cometchat',
  webhookPassword: 'localpassword',
  queuePrefix: 'cometchat-relay-local',
  maxBodyBytes: 256 * 1024,
} as const;

export interface LocalStackOptions {
  readonly host?: string;
  /** Port of the relay's HTTP server; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Accepted webhook credentials (one pair, or two to try a rotation). */
  readonly webhookCredentials: readonly BasicCredentials[];
  /** CometChat app id to enforce, as `appId` does in the deployed stack. */
  readonly appId?: string;
  readonly maxBodyBytes?: number;
  /** Folder for data kept across restarts. In memory when absent. */
  readonly dataDir?: string;
  /** Emulators already running (the test suite starts them once); started here when absent. */
  readonly emulators?: EmulatorEndpoints;
  readonly queuePrefix?: string;
}

export interface LocalStack {
  readonly url: string;
  readonly webhookUrls: Readonly<Record<Channel, string>>;
  readonly queues: ChannelQueues;
  readonly endpoints: EmulatorEndpoints;
  stop(): Promise<void>;
}

/**
 * The whole relay on one machine: the emulators, the queues created from the
 * deployed definitions, and the same handler code behind a local HTTP server
 * that speaks API Gateway's event format.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const started: RunningEmulators | undefined = options.emulators
    ? undefined
    : await startEmulators(options.dataDir ? { dataDir: options.dataDir } : {});
  const endpoints = options.emulators ?? (started as RunningEmulators).endpoints;
  try {
    const sqsConfig = { ...localClientConfig(endpoints.sqs), useQueueUrlAsEndpoint: false };
    const admin = new SQSClient(sqsConfig);
    const queues = await createChannelQueues({ sqs: admin, prefix: options.queuePrefix ?? LOCAL_DEFAULTS.queuePrefix });
    admin.destroy();

    const ingestSqs = createIngestSqsClient(sqsConfig);
    const credentials = staticCredentialStore(options.webhookCredentials);
    const lambdaRoutes: LambdaRoute[] = CHANNELS.map((channel) => ({
      method: 'POST',
      path: CHANNEL_ROUTES[channel],
      handler: createIngestHandler({
        route: webhookRoute(channel),
        credentials,
        queue: sqsNotificationQueue({ client: ingestSqs, queueUrl: queues[channel].url }),
        appId: options.appId,
        maxBodyBytes: options.maxBodyBytes ?? LOCAL_DEFAULTS.maxBodyBytes,
      }),
    }));

    const server = await startLocalServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? LOCAL_DEFAULTS.port,
      lambdaRoutes,
      onHandlerCrash: (error) => console.error('handler crashed', error),
    });
    const webhookUrls = Object.fromEntries(
      CHANNELS.map((channel) => [channel, `${server.url}${CHANNEL_ROUTES[channel]}`]),
    ) as Record<Channel, string>;

    return {
      url: server.url,
      webhookUrls,
      queues,
      endpoints,
      async stop() {
        await server.close();
        ingestSqs.destroy();
        await started?.stop();
      },
    };
  } catch (error) {
    await started?.stop();
    throw error;
  }
};
