import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createPushConsumer } from '../../functions/consumers/channel-consumers.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { snsPushSender } from '../../functions/shared/aws-senders.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { dynamoDbDeliveryLedger } from '../../functions/shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import { logger } from '../../functions/shared/powertools.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { toSqsRecord } from '../../lib/local/sqs-poller.ts';
import { apiEvent } from '../support/api-event.ts';
import { type CapturedOutput, captureOutput } from '../support/capture.ts';
import { ADMIN_TOKEN, directoryApi, fcmToken, freshUid, seedFor } from '../support/delivery.ts';
import { TEST_CREDENTIALS } from '../support/http.ts';
import { receiveBatch, sqsClientFor } from '../support/queues.ts';

// What CloudWatch Logs bills per notification (issue 13: at most 400 bytes at INFO, keeping one outcome line per
// delivery): the real ingest handler and the real push consumer, as deployed (INFO, EMF on), against the emulators,
// with a batch of 10 as a burst hands it to the consumer. Bytes are counted, not timed: the figure is the same on any
// machine for the same payloads.

const BUDGET_BYTES = 400;
const BATCH = 10;
const emulators = inject('emulators');

let stack: LocalStack;
let output: CapturedOutput | undefined;
const sqs = sqsClientFor(emulators.sqs);
/** The ingest's own signed SQS client, as deployed. */
const ingestSqs = createIngestSqsClient(localClientConfig(emulators.sqs));
const dynamodbClient = new DynamoDBClient(localClientConfig(emulators.dynamodb));
const dynamodb = DynamoDBDocumentClient.from(dynamodbClient, { marshallOptions: { removeUndefinedValues: true } });
const sns = new SNSClient(localClientConfig(emulators.sns));

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: `log-bytes-${randomUUID().slice(0, 8)}`,
    consumers: false,
    webhookCredentials: [TEST_CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
  });
});

afterAll(async () => {
  output?.stop();
  vi.unstubAllEnvs();
  logger.setLogLevel('ERROR');
  for (const client of [sqs, dynamodbClient, sns, ingestSqs]) client.destroy();
  await stack?.stop();
});

/** Runs `work` logging at INFO with EMF on, as deployed; answers what it printed. */
const printed = async (work: () => Promise<void>): Promise<string[]> => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  logger.setLogLevel('INFO');
  output = captureOutput();
  try {
    await work();
    return output
      .text()
      .split('\n')
      .filter((line) => line.trim() !== '');
  } finally {
    output.stop();
    output = undefined;
    logger.setLogLevel('ERROR');
    vi.unstubAllEnvs();
  }
};

const bytesOf = (lines: readonly string[]): number => lines.reduce((total, line) => total + Buffer.byteLength(`${line}\n`), 0);

describe('log and EMF bytes per push notification at INFO', () => {
  it('one outcome line per delivery, nothing at INFO from the ingest of an accepted webhook, and within the budget', async () => {
    // Prepare: one recipient with an Android device, ten distinct pushes to them
    const uid = freshUid('log-bytes');
    const token = fcmToken();
    await directoryApi(stack.directoryUrl).registerDevice(uid, 'pixel-8', 'fcm', token);
    const queueUrl = stack.queues.push.url;
    const ingest = createIngestHandler({
      route: webhookRoute('push'),
      credentials: staticCredentialStore([TEST_CREDENTIALS]),
      queue: sqsNotificationQueue({ client: ingestSqs, queueUrl }),
      maxBodyBytes: 262_144,
    });
    const consumer = createPushConsumer({
      directory: new DynamoDbDirectory({ client: dynamodb, tableName: stack.tables.directory }),
      sender: snsPushSender(sns),
      ledger: dynamoDbDeliveryLedger({ client: dynamodb, tableName: stack.tables.deliveries }),
    });
    const tags = Array.from({ length: BATCH }, (_, index) => `log-bytes-${index}-${randomUUID().slice(0, 8)}`);

    // Act: ten webhooks through the ingest handler, then the batch of ten through the consumer
    const ingestLines = await printed(async () => {
      for (const tag of tags) {
        const payload = seedFor('push-chat', uid);
        payload.data.notificationDetails.tag = tag;
        const body = JSON.stringify(payload);
        const answer = await ingest(
          apiEvent({ body, headers: { authorization: encodeBasicAuth(TEST_CREDENTIALS), 'content-type': 'application/json' } }),
        );
        expect(answer.statusCode, answer.body).toBe(200);
      }
    });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const messages = await receiveBatch(sqs, queueUrl, BATCH);
    const consumerLines = await printed(async () => {
      const response = await consumer({ Records: messages.map((message) => toSqsRecord(message, Attributes?.QueueArn ?? '')) }, {
        functionName: 'push-consumer',
        awsRequestId: 'log-bytes',
      } as Context);
      expect(response.batchItemFailures).toEqual([]);
    });

    // Assess: the ingest writes nothing at INFO for an accepted webhook (its queue's NumberOfMessagesSent counts it)...
    expect(ingestLines).toEqual([]);
    // ...the consumer exactly one outcome line per delivery, with what operators search by, and the batch's EMF records
    const consumerRecords = consumerLines.map((line) => JSON.parse(line));
    const outcomes = consumerRecords.filter((record) => record.message === 'delivery outcome');
    expect(outcomes.map((line) => [line.level, line.correlationId, line.channel, line.target, line.outcome])).toEqual(
      expect.arrayContaining(tags.map((tag) => ['INFO', tag, 'push', 'device:pixel-8', 'sent'])),
    );
    expect(outcomes).toHaveLength(BATCH);
    expect(consumerRecords.filter((record) => record._aws !== undefined).map((record) => Object.keys(record).at(-1))).toEqual([
      'Deliveries',
      'DeliveryLatency',
    ]);
    expect(consumerRecords).toHaveLength(BATCH + 2);
    // ...nothing printed holds the device token
    expect([...ingestLines, ...consumerLines].join('\n')).not.toContain(token);
    // ...and the bytes, ingest and consumer together, within the budget in both ingest modes.
    expect(bytesOf([...ingestLines, ...consumerLines]) / BATCH).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
