import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import {
  type DeliveryHarness,
  fcmToken,
  freshUid,
  outboxEntries,
  queueCounts,
  seedFor,
  startDeliveryHarness,
  waitFor,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';
import { attributesOf, drainQueue } from '../support/queues.ts';

// ingest: "direct" end to end through the local stack: the emulated API Gateway (authorizer, then the
// SQS integration's SendMessage), the real queues, and the consumers that now validate what was enqueued.

const APP_ID = 'app-direct-test';
let harness: DeliveryHarness;

beforeAll(async () => {
  harness = await startDeliveryHarness({ ingest: 'direct', appId: APP_ID });
});

afterAll(async () => {
  await harness?.stop();
});

const pushFor = (uid: string) => ({ ...seedFor('push-chat', uid), appId: APP_ID });

describe('ingest: "direct"', () => {
  it('enqueues a valid push as it came, answers with SQS\'s SendMessage result, and delivers it once', async () => {
    // Prepare
    const uid = freshUid('direct');
    const device = await harness.api.registerDevice(uid, 'pixel-8', 'fcm', fcmToken());

    // Act
    const response = await postWebhook(harness.stack.webhookUrls.push, pushFor(uid));

    // Assess: API Gateway's answer is the SQS result; the consumer delivers exactly one push.
    expect(response.status, response.text).toBe(200);
    expect(response.json.SendMessageResponse.SendMessageResult.MessageId).toEqual(expect.any(String));
    const pushes = await waitFor(
      async () => {
        const found = await outboxEntries(harness.stack, (entry) => entry.channel === 'push' && entry.target === device.endpointArn);
        return found.length > 0 && found;
      },
      { timeoutMs: 15_000, what: 'the push delivered' },
    );
    expect(pushes).toHaveLength(1);
  });

  it('derives the idempotency key from the payload, so a retried webhook is delivered once', async () => {
    const uid = freshUid('retry');
    const device = await harness.api.registerDevice(uid, 'pixel-8', 'fcm', fcmToken());
    const payload = pushFor(uid);

    expect((await postWebhook(harness.stack.webhookUrls.push, payload)).status).toBe(200);
    expect((await postWebhook(harness.stack.webhookUrls.push, payload)).status).toBe(200);

    await waitFor(
      async () =>
        (await outboxEntries(harness.stack, (entry) => entry.target === device.endpointArn)).length > 0,
      { timeoutMs: 15_000, what: 'the push delivered' },
    );
    await harness.stack.idle();
    expect(await outboxEntries(harness.stack, (entry) => entry.target === device.endpointArn)).toHaveLength(1);
  });

  it('answers 401 without credentials and 403 with wrong ones, as API Gateway does, and enqueues nothing', async () => {
    const uid = freshUid('refused');
    const before = await queueCounts(harness.sqs, harness.stack.queues.push.url);

    const missing = await postWebhook(harness.stack.webhookUrls.push, pushFor(uid), { authorization: null });
    const wrong = await postWebhook(harness.stack.webhookUrls.push, pushFor(uid), {
      authorization: encodeBasicAuth({ username: 'cometchat', password: 'not-the-password' }),
    });

    expect({ status: missing.status, json: missing.json }).toEqual({ status: 401, json: { message: 'Unauthorized' } });
    expect({ status: wrong.status, json: wrong.json }).toEqual({ status: 403, json: { message: 'Forbidden' } });
    expect(await queueCounts(harness.sqs, harness.stack.queues.push.url)).toEqual(before);
  });

  it('runs the authorizer once per Authorization header while its answer is cached', async () => {
    const stats = harness.stack.directIngest;
    if (!stats) throw new Error('the local stack runs no direct ingest');
    const invocations = stats.authorizerInvocations;
    const hits = stats.cacheHits;

    for (let i = 0; i < 3; i++) {
      expect((await postWebhook(harness.stack.webhookUrls.push, pushFor(freshUid('cached')))).status).toBe(200);
    }

    expect(stats.authorizerInvocations).toBe(invocations);
    expect(stats.cacheHits).toBe(hits + 3);
  });

  it.each([
    ['invalid_payload', (uid: string) => ({ ...pushFor(uid), data: { to: { uid } } }), /invalid_payload: .*notificationDetails/],
    ['wrong_app', (uid: string) => ({ ...seedFor('push-chat', uid), appId: 'another-app' }), /^wrong_app: /],
    ['wrong_trigger', (uid: string) => ({ ...pushFor(uid), trigger: 'sms-notification-payload-generated' }), /^wrong_trigger: /],
  ])('parks a payload ingest would have refused (%s) on the DLQ with its reason, answered 200 already', async (_code, payloadOf, reason) => {
    // Prepare
    const uid = freshUid('invalid');
    await drainQueue(harness.sqs, harness.stack.queues.push.deadLetterUrl);
    const payload = payloadOf(uid);

    // Act
    const response = await postWebhook(harness.stack.webhookUrls.push, payload);

    // Assess: accepted by API Gateway; the consumer parks it at once (no retries) with the reason and the original body.
    expect(response.status).toBe(200);
    const [parked] = await waitFor(
      async () => {
        const messages = await drainQueue(harness.sqs, harness.stack.queues.push.deadLetterUrl);
        return messages.length > 0 && messages;
      },
      { timeoutMs: 15_000, what: 'the payload parked on the DLQ' },
    );
    expect(JSON.parse(parked?.Body ?? '')).toEqual(payload);
    const attributes = attributesOf(parked ?? {});
    expect(attributes.reason).toMatch(reason);
    expect(attributes).toMatchObject({ channel: 'push', ingest: 'direct' });
    expect(Number(parked?.Attributes?.ApproximateReceiveCount ?? '0')).toBeLessThanOrEqual(1);
  });
});
