import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apnsToken,
  type DeliveryHarness,
  fcmToken,
  freshUid,
  holdsFor,
  publishesTo,
  queueCounts,
  seedFor,
  smsTo,
  startDeliveryHarness,
  waitFor,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';
import { drainQueue } from '../support/queues.ts';

// What SPEC §4–§5 promise when things go wrong: stale tokens, throttling, poison messages,
// recipients that cannot be reached. Own emulators, 1 s visibility timeout.

let harness: DeliveryHarness;

beforeAll(async () => {
  harness = await startDeliveryHarness();
});

afterEach(async () => {
  await harness.sns.clearFaults();
});

afterAll(async () => {
  await harness?.stop();
});

const post = async (channel: 'push' | 'sms' | 'email', payload: unknown) => {
  const response = await postWebhook(harness.stack.webhookUrls[channel], payload);
  expect(response.status, response.text).toBe(200);
  return response;
};

const EMPTY = { visible: 0, inFlight: 0 };
const countsOf = async (channel: 'push' | 'sms' | 'email') => ({
  queue: await queueCounts(harness.sqs, harness.stack.queues[channel].url),
  deadLetters: await queueCounts(harness.sqs, harness.stack.queues[channel].deadLetterUrl),
});

describe('a push endpoint the provider disabled', () => {
  it('removes its device, and the user’s other devices still get the push', async () => {
    // Prepare
    const uid = freshUid('stale');
    const staleToken = fcmToken();
    const stale = await harness.api.registerDevice(uid, 'old-phone', 'fcm', staleToken);
    const iphone = await harness.api.registerDevice(uid, 'iphone', 'apns', apnsToken());
    expect(await harness.sns.disableEndpoint({ token: staleToken })).toEqual([stale.endpointArn]);

    // Act
    await post('push', seedFor('push-chat', uid));

    // Assess
    await waitFor(async () => (await publishesTo(harness.sns, [iphone.endpointArn])).length === 1, { what: 'the push to the iPhone' });
    const devices = await waitFor(
      async () => {
        const listed = await harness.api.listDevices(uid);
        return listed.length === 1 && listed;
      },
      { what: 'the disabled device to be removed' },
    );
    expect(devices.map((device) => device.deviceId)).toEqual(['iphone']);
    await harness.stack.idle();
    expect(await publishesTo(harness.sns, [stale.endpointArn])).toEqual([]);
    expect(await publishesTo(harness.sns, [iphone.endpointArn])).toHaveLength(1);
    expect(await countsOf('push')).toEqual({ queue: EMPTY, deadLetters: EMPTY });
  });
});

describe('throttling from SNS', () => {
  it('is retried and the push is delivered exactly once', async () => {
    // Prepare
    const uid = freshUid('throttled');
    const device = await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    await harness.sns.injectFault({ action: 'Publish', code: 'Throttling', count: 2 });

    // Act
    await post('push', seedFor('push-chat', uid));

    // Assess
    await waitFor(async () => (await publishesTo(harness.sns, [device.endpointArn])).length > 0, {
      timeoutMs: 30_000,
      what: 'the push after throttling',
    });
    await harness.stack.idle();
    expect(await publishesTo(harness.sns, [device.endpointArn])).toHaveLength(1);
    expect(await countsOf('push')).toEqual({ queue: EMPTY, deadLetters: EMPTY });
  });

  it('outlasting the SDK’s own retries comes back through SQS visibility and is delivered exactly once', async () => {
    // Prepare: the SDK makes 3 attempts per call, so 4 faults fail the whole first receive (a retry outcome):
    // the publish that finally succeeds is the 5th, which only a second receive from SQS can make.
    const phone = '+14155550123';
    const sms = seedFor('sms-one-on-one', freshUid('throttled-sms'));
    sms.data.to.phno = phone;
    await harness.sns.injectFault({ action: 'Publish', code: 'Throttling', count: 4 });

    // Act
    await post('sms', sms);

    // Assess
    await waitFor(async () => (await smsTo(harness.sns, phone)).length > 0, { timeoutMs: 30_000, what: 'the SMS after throttling' });
    await harness.stack.idle();
    expect(await smsTo(harness.sns, phone)).toEqual([
      expect.objectContaining({ message: sms.data.smsContent, delivered: true, messageAttributes: { 'AWS.SNS.SMS.SMSType': 'Transactional' } }),
    ]);
    expect(await countsOf('sms')).toEqual({ queue: EMPTY, deadLetters: EMPTY });
  });
});

describe('a poison message', () => {
  it('reaches the DLQ after 5 receives, while the rest of its batch is delivered at once', async () => {
    // Prepare
    const alice = freshUid('alice');
    const bob = freshUid('bob');
    const aliceDevice = await harness.api.registerDevice(alice, 'pixel', 'fcm', fcmToken());
    const bobDevice = await harness.api.registerDevice(bob, 'iphone', 'apns', apnsToken());
    const notJson = '{"trigger":"push-notification-payload-generated","data":';
    const notAPush = JSON.stringify({ trigger: 'push-notification-payload-generated', data: { to: {} } });

    // Act: one SendMessageBatch, so the poller receives them as one batch.
    const sent = await harness.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: harness.stack.queues.push.url,
        Entries: [
          { Id: 'alice', MessageBody: JSON.stringify(seedFor('push-chat', alice)) },
          { Id: 'not-json', MessageBody: notJson },
          { Id: 'bob', MessageBody: JSON.stringify(seedFor('push-chat', bob)) },
          { Id: 'not-a-push', MessageBody: notAPush },
        ],
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);

    // Assess: the valid ones are not held back (delivered before the poison ones have been received five
    // times, which takes four visibility timeouts: an order, not a clock), the poison ones end in the DLQ, untouched.
    await waitFor(async () => (await publishesTo(harness.sns, [aliceDevice.endpointArn, bobDevice.endpointArn])).length === 2, {
      timeoutMs: 30_000,
      what: 'the valid messages of the batch',
    });
    expect((await queueCounts(harness.sqs, harness.stack.queues.push.deadLetterUrl)).visible).toBe(0);
    await waitFor(async () => (await queueCounts(harness.sqs, harness.stack.queues.push.deadLetterUrl)).visible === 2, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'both poison messages in the DLQ',
    });
    await harness.stack.idle();
    const deadLetters = await drainQueue(harness.sqs, harness.stack.queues.push.deadLetterUrl);
    expect(deadLetters.map((message) => message.Body).sort()).toEqual([notJson, notAPush].sort());
    for (const message of deadLetters) {
      expect(Number(message.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(5);
    }
    expect(await publishesTo(harness.sns, [aliceDevice.endpointArn])).toHaveLength(1);
    expect(await publishesTo(harness.sns, [bobDevice.endpointArn])).toHaveLength(1);
    expect(await queueCounts(harness.sqs, harness.stack.queues.push.url)).toEqual(EMPTY);
  });
});

describe('a user with no device and no contact', () => {
  it('is skipped on every channel and not retried', async () => {
    // Prepare
    const uid = freshUid('nobody');
    const sms = seedFor('sms-one-on-one', uid);
    delete sms.data.to.phno;
    const email = seedFor('email-one-on-one', uid);
    delete email.data.to.email;
    const publishedBefore = (await harness.sns.published()).length;

    // Act
    await post('push', seedFor('push-chat', uid));
    await post('sms', sms);
    await post('email', email);

    // Assess: consumed at once, and still nothing in flight a visibility timeout later (a retry would be).
    await harness.stack.idle();
    const settled = async () => {
      for (const channel of ['push', 'sms', 'email'] as const) {
        const counts = await countsOf(channel);
        if (JSON.stringify(counts) !== JSON.stringify({ queue: EMPTY, deadLetters: EMPTY })) return false;
      }
      return true;
    };
    await holdsFor(settled, { forMs: 1_500, what: 'empty queues and DLQs' });
    expect(await harness.sns.published()).toHaveLength(publishedBefore);
    const store = (await (await fetch(`${harness.stack.endpoints.ses}/store`)).json()) as { emails: unknown[] };
    expect(store.emails).toEqual([]);
  });
});
