import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushConsumer } from '../../functions/consumers/channel-consumers.ts';
import { snsPushSender } from '../../functions/shared/aws-senders.ts';
import { createDocumentClient } from '../../functions/shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../../functions/shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { toSqsRecord } from '../../lib/local/sqs-poller.ts';
import {
  apnsToken,
  type DeliveryHarness,
  fcmToken,
  freshUid,
  lambdaContext,
  publishesTo,
  queueCounts,
  receiveVisible,
  seedFor,
  startDeliveryHarness,
  waitFor,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';

// SQS delivers at least once: a consumer that crashed before its batch was deleted sees the same
// messages again. Here the local stack only ingests (no pollers); the test plays the event source,
// with the push consumer built from the same ports the local stack and the Lambda use.

let harness: DeliveryHarness;
let sns: SNSClient;
let dynamodb: DynamoDBDocumentClient;
let consumer: ReturnType<typeof createPushConsumer>;
let queueArn: string;

beforeAll(async () => {
  harness = await startDeliveryHarness({ consumers: false });
  const { endpoints, tables, queues } = harness.stack;
  sns = new SNSClient(localClientConfig(endpoints.sns));
  dynamodb = createDocumentClient(localClientConfig(endpoints.dynamodb));
  consumer = createPushConsumer({
    directory: new DynamoDbDirectory({ client: dynamodb, tableName: tables.directory }),
    sender: snsPushSender(sns),
    ledger: dynamoDbDeliveryLedger({ client: dynamodb, tableName: tables.deliveries }),
  });
  const { Attributes } = await harness.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.push.url, AttributeNames: ['QueueArn'] }));
  queueArn = Attributes?.QueueArn ?? '';
});

afterAll(async () => {
  sns?.destroy();
  dynamodb?.destroy();
  await harness?.stop();
});

describe('a push batch redelivered after a crash before it was deleted', () => {
  it('is delivered once per device: the second run skips what was sent and reports no failures', async () => {
    // Prepare: three notifications for two users, four devices, queued through the webhook.
    const maya = freshUid('maya');
    const noah = freshUid('noah');
    const mayaFcm = await harness.api.registerDevice(maya, 'pixel', 'fcm', fcmToken());
    const mayaApns = await harness.api.registerDevice(maya, 'iphone', 'apns', apnsToken());
    const mayaVoip = await harness.api.registerDevice(maya, 'iphone-voip', 'apns_voip', apnsToken());
    const noahFcm = await harness.api.registerDevice(noah, 'pixel', 'fcm', fcmToken());
    for (const [channel, payload] of [
      ['push', seedFor('push-chat', maya)],
      ['push', seedFor('push-call', maya)],
      ['push', seedFor('push-chat', noah)],
    ] as const) {
      expect((await postWebhook(harness.stack.webhookUrls[channel], payload)).status).toBe(200);
    }
    const firstReceive = await receiveVisible(harness.sqs, harness.stack.queues.push.url, { visibilityTimeout: 1 });
    expect(firstReceive).toHaveLength(3);
    const event = (messages: typeof firstReceive): SQSEvent => ({ Records: messages.map((message) => toSqsRecord(message, queueArn)) });

    // Act 1: the consumer handles the first two records and "crashes": nothing is deleted.
    const crashed = await consumer(event(firstReceive.slice(0, 2)), lambdaContext());

    // Act 2: the visibility timeout ends, SQS hands out the whole batch again, the consumer handles it all.
    const redelivered = await waitFor(
      async () => {
        const messages = await receiveVisible(harness.sqs, harness.stack.queues.push.url, { visibilityTimeout: 30 });
        return messages.length > 0 && messages;
      },
      { timeoutMs: 30_000, what: 'the batch to come back' },
    );
    const rerun = await consumer(event(redelivered), lambdaContext());
    // Act 3: and once more, as a second crash after the rerun would.
    const again = await consumer(event(redelivered), lambdaContext());

    // Assess
    expect(crashed.batchItemFailures).toEqual([]);
    expect(redelivered.map((message) => message.MessageId).sort()).toEqual(firstReceive.map((message) => message.MessageId).sort());
    expect(redelivered.every((message) => message.Attributes?.ApproximateReceiveCount === '2')).toBe(true);
    expect(rerun.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);

    /** The notification types each endpoint received: FCM carries them in `data`, APNs at the top level. */
    const typesAt = async (endpointArn: string) =>
      (await publishesTo(harness.sns, [endpointArn]))
        .map((message) => {
          const delivered = JSON.parse(message.deliveredMessage);
          return (delivered.fcmV1Message?.message.data ?? delivered).type as string;
        })
        .sort();
    expect(await typesAt(mayaFcm.endpointArn)).toEqual(['call', 'chat']);
    expect(await typesAt(mayaApns.endpointArn)).toEqual(['chat']);
    expect(await typesAt(mayaVoip.endpointArn)).toEqual(['call']);
    expect(await typesAt(noahFcm.endpointArn)).toEqual(['chat']);
    expect(await harness.sns.published()).toHaveLength(5);

    await harness.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: harness.stack.queues.push.url,
        Entries: redelivered.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    expect(await queueCounts(harness.sqs, harness.stack.queues.push.url)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('the delivery ledger, when a claim is taken over after its lease lapsed', () => {
  it('lets only the holder give a claim back: the first worker’s late release leaves the second’s claim in place', async () => {
    // Prepare: two workers on the same table and one clock; the first claims, its 1 s lease lapses while it is
    // still trying (a slow provider), and the second takes the claim over.
    let clock = 1_000_000;
    const worker = () =>
      dynamoDbDeliveryLedger({ client: dynamodb, tableName: harness.stack.tables.deliveries, leaseSeconds: 1, now: () => clock });
    const [first, second, third] = [worker(), worker(), worker()];
    const key = `ledger-takeover-${freshUid('key')}`;
    expect(await first.claim(key)).toBe('claimed');
    clock += 2;
    expect(await second.claim(key)).toBe('claimed');

    // Act: the first worker's attempt fails and it gives back what it thinks is its claim.
    await first.release(key);

    // Assess: the second still holds it, so a third worker (a redelivery) cannot claim and send beside it.
    expect(await third.claim(key)).toBe('in_progress');
    await second.markSent(key);
    expect(await third.claim(key)).toBe('already_sent');
  });
});
