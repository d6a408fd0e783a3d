import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEmailConsumer, createPushConsumer, createSmsConsumer } from '../functions/consumers/channel-consumers.ts';
import { sesEmailSender, snsPushSender, snsSmsSender } from '../functions/shared/aws-senders.ts';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import type { DeliveryChannel } from '../functions/shared/channels.ts';
import { dynamoDbDeliveryLedger } from '../functions/shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../functions/shared/dynamodb-directory.ts';
import { startEmulators } from '../lib/local/emulators.ts';
import { EVENTUAL_SUFFIX } from './cost.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { type LocalStack, startLocalStack } from '../lib/local/local-stack.ts';
import { toSqsRecord } from '../lib/local/sqs-poller.ts';
import { seed } from '../test/fixtures/seeds.ts';
import { receiveBatch } from '../test/support/queues.ts';
import { mapLimit, registerDevices } from './directory.ts';

// Runs in its own process (see consumers.ts): the consumers log and count at INFO, as deployed, into a stdout
// that goes nowhere, and their bytes are counted for the CloudWatch Logs line of the cost model.

export interface ConsumerThroughputRequest {
  readonly batches: number;
  readonly warmupBatches: number;
  readonly batchSize: number;
}

export interface ChannelThroughput {
  readonly channel: DeliveryChannel;
  /** Milliseconds per handler call (one SQS batch), timed batches only. */
  readonly batchMs: number[];
  readonly deliveredPerBatch: number[];
  /** AWS API calls per delivered notification, by `<service>.<command>`. */
  readonly callsPerDelivery: Readonly<Record<string, number>>;
  /** Bytes of log and EMF lines written per delivered notification. */
  readonly logBytesPerDelivery: number;
}

export interface ConsumerThroughputReply {
  readonly channels: readonly ChannelThroughput[];
}

const CREDENTIALS = { username: 'cometchat', password: 'bench-password-0123' };
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const CHANNELS = ['push', 'sms', 'email'] as const;

/** DynamoDB reads that may be eventually consistent (half a read unit): counted apart when they are. */
const READS = new Set(['dynamodb.GetItem', 'dynamodb.Query']);

/** Counts every AWS API call a client makes, as `<service>.<command>` (`EVENTUAL_SUFFIX` on an eventually consistent read). */
const countCalls = (
  client: { middlewareStack: DynamoDBClient['middlewareStack'] },
  service: string,
  calls: Map<string, number>,
) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = `${service}.${String(context.commandName).replace(/Command$/, '')}`;
      const eventual = READS.has(command) && (args.input as { ConsistentRead?: boolean }).ConsistentRead !== true;
      const name = eventual ? `${command}${EVENTUAL_SUFFIX}` : command;
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
};

const lambdaContext = {
  functionName: 'bench-consumer',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

const run = async ({ batches, warmupBatches, batchSize }: ConsumerThroughputRequest): Promise<ConsumerThroughputReply> => {
  // What one consumer instance costs per delivery, not the providers' rates (bench/rates.ts measures those): the
  // local SES and SMS gates are opened far above what one instance sends.
  const emulators = await startEmulators({ sendRates: { email: 100_000, sms: 100_000 } });
  let stack: LocalStack | undefined;
  const calls = new Map<string, number>();
  const sqs = new SQSClient({ ...localClientConfig(emulators.endpoints.sqs), useQueueUrlAsEndpoint: false });
  const dynamodbClient = new DynamoDBClient(localClientConfig(emulators.endpoints.dynamodb));
  const sns = new SNSClient(localClientConfig(emulators.endpoints.sns));
  const ses = new SESv2Client(localClientConfig(emulators.endpoints.ses));
  countCalls(dynamodbClient, 'dynamodb', calls);
  countCalls(sns, 'sns', calls);
  countCalls(ses, 'ses', calls);
  const dynamodb = DynamoDBDocumentClient.from(dynamodbClient, { marshallOptions: { removeUndefinedValues: true } });
  try {
    // The local stack with its consumers off: its ingest fills the queues, its directory API registers devices.
    stack = await startLocalStack({
      port: 0,
      emulators: emulators.endpoints,
      resourcePrefix: `bench-consumers-${randomUUID().slice(0, 8)}`,
      consumers: false,
      webhookCredentials: [CREDENTIALS],
      adminTokens: [ADMIN_TOKEN],
    });
    const directory = new DynamoDbDirectory({ client: dynamodb, tableName: stack.tables.directory });
    const ledger = dynamoDbDeliveryLedger({ client: dynamodb, tableName: stack.tables.deliveries });
    // Built exactly as the local stack builds them (local-stack.ts), on clients that count their calls.
    const consumers = {
      push: createPushConsumer({ directory, sender: snsPushSender(sns), ledger }),
      sms: createSmsConsumer({ directory, sender: snsSmsSender(sns), ledger, options: {} }),
      email: createEmailConsumer({ directory, sender: sesEmailSender({ ses, from: 'bench@cometchat-relay.local' }), ledger }),
    } satisfies Record<(typeof CHANNELS)[number], (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>>;

    const total = (batches + warmupBatches) * batchSize;
    const members = Array.from({ length: 50 }, (_, index) => `bench-reader-${index}`);
    await registerDevices(stack.directoryUrl, ADMIN_TOKEN, members);
    for (const channel of CHANNELS) {
      await mapLimit(
        Array.from({ length: total }, (_, index) => index),
        20,
        async (index) => {
          const response = await fetch(stack?.webhookUrls[channel] ?? '', {
            method: 'POST',
            headers: { authorization: encodeBasicAuth(CREDENTIALS), 'content-type': 'application/json' },
            body: JSON.stringify(payloadFor(channel, index, members[index % members.length] as string)),
          });
          if (response.status !== 200) throw new Error(`Ingest answered ${response.status}: ${await response.text()}`);
        },
      );
    }

    const channels: ChannelThroughput[] = [];
    for (const channel of CHANNELS) {
      const queueUrl = stack.queues[channel].url;
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      const queueArn = Attributes?.QueueArn ?? '';
      const batchMs: number[] = [];
      const deliveredPerBatch: number[] = [];
      calls.clear();
      let logBytes = 0;
      for (let batch = 0; batch < warmupBatches + batches; batch++) {
        const messages = await receiveBatch(sqs, queueUrl, batchSize);
        const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, queueArn)) };
        const timed = batch >= warmupBatches;
        if (timed && batch === warmupBatches) calls.clear();
        const stopCounting = timed ? countStdout((bytes) => (logBytes += bytes)) : () => {};
        const start = process.hrtime.bigint();
        const response = await consumers[channel](event, lambdaContext);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        stopCounting();
        if (response.batchItemFailures.length > 0) {
          throw new Error(`The ${channel} consumer failed ${response.batchItemFailures.length} of ${messages.length} records`);
        }
        if (timed) {
          batchMs.push(ms);
          deliveredPerBatch.push(messages.length);
        }
      }
      const delivered = deliveredPerBatch.reduce((sum, count) => sum + count, 0);
      channels.push({
        channel,
        batchMs,
        deliveredPerBatch,
        callsPerDelivery: Object.fromEntries([...calls].map(([name, count]) => [name, count / delivered])),
        logBytesPerDelivery: logBytes / delivered,
      });
    }
    return { channels };
  } finally {
    for (const client of [sqs, dynamodbClient, sns, ses]) client.destroy();
    await stack?.stop();
    await emulators.stop();
  }
};

/** A seed sample made into a distinct notification for `uid` (a new tag, message id, number or address). */
const payloadFor = (channel: (typeof CHANNELS)[number], index: number, uid: string): Record<string, any> => {
  const sample = seed(channel === 'push' ? 'push-chat' : channel === 'sms' ? 'sms-one-on-one' : 'email-one-on-one');
  sample.data.to.uid = uid;
  if (channel === 'push') {
    sample.data.notificationDetails.tag = `bench-${index}`;
    return sample;
  }
  for (const message of sample.data.messages as Array<{ message: string; messageObject?: { id?: string } }>) {
    message.message = `${message.message} (${index})`;
    if (message.messageObject) message.messageObject.id = `bench-${index}-${randomUUID().slice(0, 8)}`;
  }
  if (channel === 'sms') sample.data.to.phno = `+1415555${String(index).padStart(4, '0')}`;
  else sample.data.to.email = `reader-${index}@example.com`;
  return sample;
};

/** Counts the bytes written to stdout (logs and EMF) until the returned function is called. */
const countStdout = (count: (bytes: number) => void): (() => void) => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    count(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
};

process.once('message', (request: ConsumerThroughputRequest) => {
  run(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
