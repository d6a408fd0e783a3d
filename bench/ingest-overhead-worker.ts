import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { createIngestHandler } from '../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../functions/ingest/webhook-routes.ts';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import { createIngestSqsClient } from '../functions/shared/clients/sqs.ts';
import { WEBHOOK_HTTP_TIMEOUTS } from '../functions/shared/clients/webhook-budget.ts';
import { staticCredentialStore } from '../functions/shared/ports/credential-store.ts';
import type { NotificationQueue, QueuedNotification } from '../functions/shared/ports/notification-queue.ts';
import type { RelayMetrics } from '../functions/shared/metrics.ts';
import { logger } from '../functions/shared/powertools.ts';
import { sqsNotificationQueue, toMessageAttributes } from '../functions/shared/sqs-notification-queue.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { seed } from '../test/fixtures/seeds.ts';

// Runs in its own process (see ingest-overhead.ts) so that the handler logs at INFO, as deployed,
// into a stdout that goes nowhere, and so that nothing else shares its event loop but fauxqs.

/**
 * What is timed, from the bare SQS call up to the whole handler, so that the
 * difference between neighbours says what each layer costs:
 * - `bareSend`: the SDK's SQSClient sending the body the handler enqueues, nothing else (the reference);
 * - `sendWithAttributes`: the same with the handler's message attributes;
 * - `signedSend`: the same SendMessage through the ingest's own signed JSON client (`createIngestSqsClient`);
 * - `enqueue`: the queue port (`sqsNotificationQueue`): attributes and its overall deadline;
 * - `handlerSilent`: the whole ingest handler with its log line and its metrics switched off;
 * - `handler`: the whole ingest handler logging at INFO, as deployed;
 * - `handlerNoIo`: the same against a queue that answers at once: the handler's own work, no I/O, logs or metrics.
 */
export type IngestVariant =
  | 'bareSend'
  | 'sendWithAttributes'
  | 'signedSend'
  | 'enqueue'
  | 'handlerSilent'
  | 'handler'
  | 'handlerNoIo';

export interface IngestOverheadRequest {
  readonly warmup: number;
  readonly iterations: number;
}

export interface IngestOverheadReply {
  /** Milliseconds per call, by variant, in round order (one call of each variant per round). */
  readonly samples: Readonly<Record<IngestVariant, number[]>>;
  readonly bodyBytes: number;
  /** Bytes the handler wrote to stdout per accepted webhook at INFO (its log line). */
  readonly logBytesPerRequest: number;
}

export const INGEST_VARIANTS: readonly IngestVariant[] = [
  'bareSend',
  'sendWithAttributes',
  'signedSend',
  'enqueue',
  'handlerSilent',
  'handler',
  'handlerNoIo',
];
const CREDENTIALS = { username: 'cometchat', password: 'bench-password-0123' };

const run = async ({ warmup, iterations }: IngestOverheadRequest): Promise<IngestOverheadReply> => {
  const sqsServer = buildApp({ logger: false });
  await sqsServer.listen({ host: '127.0.0.1', port: 0 });
  const address = sqsServer.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs did not listen on a TCP port');
  const config = localClientConfig(`http://127.0.0.1:${address.port}`);
  const client = createIngestSqsClient(config);
  // The reference: the SDK's SQS client with the same timeouts and attempts as the ingest's.
  const sdk = new SQSClient({
    ...config,
    useQueueUrlAsEndpoint: false,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler(WEBHOOK_HTTP_TIMEOUTS),
  });
  try {
    const { QueueUrl: queueUrl } = await sdk.send(
      new CreateQueueCommand({ QueueName: `bench-ingest-${randomUUID().slice(0, 8)}` }),
    );
    if (!queueUrl) throw new Error('fauxqs answered CreateQueue without a QueueUrl');

    // The exact body and attributes the handler enqueues, captured once, so the bare sends carry the same bytes.
    let captured: QueuedNotification | undefined;
    const queue = sqsNotificationQueue({ client, queueUrl });
    const capturing: NotificationQueue = {
      enqueue: (notification) => {
        captured = notification;
        return queue.enqueue(notification);
      },
    };
    const handlerOptions = {
      route: webhookRoute('push'),
      credentials: staticCredentialStore([CREDENTIALS]),
      maxBodyBytes: 262_144,
    };
    const handler = createIngestHandler({ ...handlerOptions, queue });
    const handlerQuiet = createIngestHandler({ ...handlerOptions, queue, metrics: NO_METRICS });
    const handlerNoIo = createIngestHandler({
      ...handlerOptions,
      metrics: NO_METRICS,
      queue: { enqueue: async () => ({ id: 'no-io' }) },
    });
    const event = apiEvent(JSON.stringify(seed('push-chat')));
    const first = await createIngestHandler({ ...handlerOptions, queue: capturing })(event);
    if (first.statusCode !== 200 || !captured) throw new Error(`The ingest handler answered ${first.statusCode}: ${first.body}`);
    const { body, attributes } = captured;
    const messageAttributes = toMessageAttributes(attributes);

    const logBytesPerRequest = await countLogBytes(() => handler(event));

    const calls: Record<IngestVariant, () => Promise<unknown>> = {
      bareSend: () => sdk.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
      sendWithAttributes: () =>
        sdk.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: messageAttributes })),
      signedSend: () =>
        client.call('SendMessage', { QueueUrl: queueUrl, MessageBody: body, MessageAttributes: messageAttributes }),
      enqueue: () => queue.enqueue({ body, attributes }),
      handlerSilent: () => silently(() => expectAccepted(handlerQuiet(event))),
      handler: () => expectAccepted(handler(event)),
      handlerNoIo: () => silently(() => expectAccepted(handlerNoIo(event))),
    };

    const samples = Object.fromEntries(INGEST_VARIANTS.map((variant) => [variant, [] as number[]])) as Record<
      IngestVariant,
      number[]
    >;
    for (let round = 0; round < warmup + iterations; round++) {
      // A different order each round, so that neither drift nor "who goes first" favours one variant.
      for (const variant of rotate(INGEST_VARIANTS, round)) {
        const start = process.hrtime.bigint();
        await calls[variant]();
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (round >= warmup) samples[variant].push(ms);
      }
    }
    return { samples, bodyBytes: Buffer.byteLength(body), logBytesPerRequest };
  } finally {
    client.destroy();
    sdk.destroy();
    await sqsServer.close();
  }
};

/** Metrics that count nothing, for the variants without them (whatever the port's methods are). */
const NO_METRICS = new Proxy({}, { get: () => () => {} }) as RelayMetrics;

const expectAccepted = async (answer: Promise<{ statusCode: number; body: string }>): Promise<void> => {
  const { statusCode, body } = await answer;
  if (statusCode !== 200) throw new Error(`The ingest handler answered ${statusCode}: ${body}`);
};

const silently = async (call: () => Promise<void>): Promise<void> => {
  logger.setLogLevel('SILENT');
  try {
    await call();
  } finally {
    logger.setLogLevel('INFO');
  }
};

/** The variants starting at a different one each round, every other round reversed. */
const rotate = <T>(items: readonly T[], round: number): T[] => {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return Math.floor(round / items.length) % 2 === 0 ? rotated : rotated.reverse();
};

const countLogBytes = async (call: () => Promise<unknown>): Promise<number> => {
  let bytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const rounds = 20;
    for (let i = 0; i < rounds; i++) await call();
    return bytes / rounds;
  } finally {
    process.stdout.write = write;
  }
};

const apiEvent = (body: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /cometchat/push',
    rawPath: '/cometchat/push',
    rawQueryString: '',
    headers: {
      authorization: encodeBasicAuth(CREDENTIALS),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      host: 'bench.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'CometChat-Webhook',
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: '/cometchat/push',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'CometChat-Webhook',
      },
      requestId: 'bench-request',
      routeKey: 'POST /cometchat/push',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  }) as APIGatewayProxyEventV2;

process.once('message', (request: IngestOverheadRequest) => {
  run(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
