import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { CHANNEL_TRIGGERS, CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import type { QueuedNotification } from '../../functions/shared/ports/notification-queue.ts';
import { toMessageAttributes } from '../../functions/shared/sqs-notification-queue.ts';
import { QUEUE_SETTINGS } from '../../lib/queue-settings.ts';
import { eventFixture } from '../fixtures/events/events.ts';
import { seed } from '../fixtures/seeds.ts';
import { apiEvent } from '../support/api-event.ts';
import { TEST_CREDENTIALS, postWebhook } from '../support/http.ts';
import { drainQueue } from '../support/queues.ts';
import { type HttpProxy, type ProxiedRequest, type ProxiedResponse, startHttpProxy } from './support/http-proxy.ts';
import {
  holdsFor,
  notificationFor,
  pushCounts,
  queueCounts,
  type Relay,
  registerMembers,
  startRelay,
  waitFor,
} from './support/relay.ts';

// Poison messages, bodies no consumer can ever read, sit in every channel's queue among good
// notifications. Each must reach its DLQ after exactly maxReceiveCount (5) receives, without holding
// back the messages it shared batches with: every good notification is delivered, exactly once.
//
// The poison goes into the queues directly (ingest would refuse it), in one SendMessageBatch per
// channel interleaved with good notifications exactly as the ingest handler enqueues them (run here
// with a queue that keeps what it is given), so that the consumers receive batches that mix the two;
// more good notifications come through the webhooks meanwhile. A proxy in front of the SQS emulator
// records what each ReceiveMessage handed the consumers: how often each poison message was received,
// and that batches did mix poison with good messages.

const VISIBILITY_SECONDS = 1;
/** Good notifications per channel: through the webhooks, and in the mixed batch beside the poison. */
const THROUGH_WEBHOOKS = 12;
const IN_MIXED_BATCH = 7;
const GOOD_PER_CHANNEL = THROUGH_WEBHOOKS + IN_MIXED_BATCH;

/** What the ingest handler enqueues for `payload` on `channel`: the same body and message attributes. */
const enqueuedByIngest = async (channel: Channel, payload: Record<string, unknown>): Promise<QueuedNotification> => {
  let queued: QueuedNotification | undefined;
  const handler = createIngestHandler({
    route: webhookRoute(channel),
    credentials: staticCredentialStore([TEST_CREDENTIALS]),
    maxBodyBytes: 256 * 1024,
    queue: {
      enqueue: async (notification) => {
        queued = notification;
        return { id: 'kept' };
      },
    },
  });
  const answer = await handler(
    apiEvent({
      headers: { authorization: encodeBasicAuth(TEST_CREDENTIALS), 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    }),
  );
  if (answer.statusCode !== 200 || !queued) throw new Error(`ingest refused a good ${channel} notification: ${answer.body}`);
  return queued;
};

/** Per channel: bodies its consumer can never deliver (not JSON; the right trigger with nothing in it; another channel's payload). */
const poisonFor = (channel: Channel): string[] => {
  const other = { push: 'sms-one-on-one', sms: 'email-one-on-one', email: 'push-chat', events: 'push-call' } as const;
  return [
    `{"trigger": "${channel}", "data": {`,
    JSON.stringify({
      trigger: channel === 'events' ? 'message_sent' : CHANNEL_TRIGGERS[channel],
      data: {},
      appId: 'app123',
      webhook: 'custom',
    }),
    // Escaped as ingest escapes what it enqueues: the emulator, like SQS, refuses some characters raw.
    JSON.stringify(seed(other[channel])).replace(/[\uD800-\uDFFF]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`),
  ];
};

interface BatchEntry {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly poison: boolean;
}

/** good, poison, good, good, poison, good, good, poison, ...: any two neighbours but one pair hold both kinds. */
const interleave = (good: readonly BatchEntry[], poison: readonly BatchEntry[]): BatchEntry[] => {
  const left = [...poison];
  const mixed = good.flatMap((entry, index) =>
    index % 2 === 0 && left.length > 0 ? [entry, left.shift() as BatchEntry] : [entry],
  );
  return [...mixed, ...left];
};

/** ReceiveMessage answers: which queue, which message ids. */
const receives: Array<{ readonly queueUrl: string; readonly ids: readonly string[] }> = [];

const recordReceives = (request: ProxiedRequest, response: ProxiedResponse): void => {
  if (response.status !== 200 || request.headers['x-amz-target'] !== 'AmazonSQS.ReceiveMessage') return;
  const { QueueUrl } = JSON.parse(request.body.toString('utf8')) as { QueueUrl: string };
  const { Messages = [] } = JSON.parse(response.body.toString()) as { Messages?: Array<{ MessageId: string }> };
  if (Messages.length > 0) receives.push({ queueUrl: QueueUrl, ids: Messages.map((message) => message.MessageId) });
};

let relay: Relay;
let proxy: HttpProxy;

beforeAll(async () => {
  relay = await startRelay({
    stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS },
    route: async (endpoints) => {
      proxy = await startHttpProxy({ target: endpoints.sqs, observe: recordReceives });
      return { ...endpoints, sqs: proxy.url };
    },
  });
});

afterAll(async () => {
  await relay?.stop();
  await proxy?.stop();
});

describe('poison messages mixed into batches', () => {
  it('sends each poison message to its DLQ after 5 receives and delivers every other message once', async () => {
    // Prepare: good notifications for every channel, to members, numbers, addresses and the events topic.
    const { stack, sqs } = relay;
    const members = await registerMembers(stack, 'poisoned', GOOD_PER_CHANNEL);
    const phones = Array.from({ length: GOOD_PER_CHANNEL }, (_, index) => `+1415555${String(2000 + index)}`);
    const addresses = Array.from({ length: GOOD_PER_CHANNEL }, (_, index) => `poisoned-${index}@example.com`);
    const eventIds = Array.from({ length: GOOD_PER_CHANNEL }, (_, index) => `poisoned-event-${index}`);
    const good: Array<[Channel, Record<string, unknown>]> = [
      ...members.uids.map((uid): [Channel, Record<string, unknown>] => [
        'push',
        notificationFor('push-chat', uid, `poisoned-${uid}`),
      ]),
      ...phones.map((phone, index): [Channel, Record<string, unknown>] => {
        const payload = notificationFor('sms-one-on-one', `sms-${index}`, `poisoned-sms-${index}`);
        payload.data.to.phno = phone;
        return ['sms', payload];
      }),
      ...addresses.map((address, index): [Channel, Record<string, unknown>] => {
        const payload = notificationFor('email-one-on-one', `email-${index}`, `poisoned-email-${index}`);
        payload.data.to.email = address;
        return ['email', payload];
      }),
      ...eventIds.map((id): [Channel, Record<string, unknown>] => {
        const payload = eventFixture('message-sent');
        payload.data.message.id = id;
        return ['events', payload];
      }),
    ];

    const mixed = new Map<Channel, QueuedNotification[]>(CHANNELS.map((channel) => [channel, []]));
    const throughWebhooks: Array<[Channel, Record<string, unknown>]> = [];
    for (const [channel, payload] of good) {
      const inBatch = mixed.get(channel) as QueuedNotification[];
      if (inBatch.length < IN_MIXED_BATCH) inBatch.push(await enqueuedByIngest(channel, payload));
      else throughWebhooks.push([channel, payload]);
    }

    // Act: per channel, one batch of good, poison, good, good, poison, ... straight into the queue, while more arrive through the webhooks.
    const [poisonIds, answers] = await Promise.all([
      Promise.all(
        CHANNELS.map(async (channel) => {
          const entries = interleave(
            (mixed.get(channel) ?? []).map(({ body, attributes }): BatchEntry => ({ body, attributes, poison: false })),
            poisonFor(channel).map((body): BatchEntry => ({ body, poison: true })),
          );
          const { Successful = [], Failed = [] } = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: stack.queues[channel].url,
              Entries: entries.map((entry, index) => ({
                Id: String(index),
                MessageBody: entry.body,
                ...(entry.attributes ? { MessageAttributes: toMessageAttributes(entry.attributes) } : {}),
              })),
            }),
          );
          expect(Failed).toEqual([]);
          return Successful.filter((result) => entries[Number(result.Id)]?.poison).map((result) => result.MessageId as string);
        }),
      ),
      Promise.all(throughWebhooks.map(([channel, payload]) => postWebhook(stack.webhookUrls[channel], payload))),
    ]);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual([]);

    // Assess: all the poison reaches the DLQs; then the stack settles.
    const poisonPerChannel = poisonFor('push').length;
    await waitFor(
      async () => {
        const counts = await Promise.all(CHANNELS.map((channel) => queueCounts(sqs, stack.queues[channel].deadLetterUrl)));
        return counts.every((count) => count.visible === poisonPerChannel);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `${poisonPerChannel} dead letters in each channel's DLQ` },
    );
    await stack.idle();

    // Each poison message was handed to a consumer exactly maxReceiveCount times, and sat in batches with good messages.
    const allPoison = new Set(poisonIds.flat());
    expect(allPoison.size).toBe(CHANNELS.length * poisonPerChannel);
    const receivedTimes = new Map<string, number>();
    for (const { ids } of receives)
      for (const id of ids) if (allPoison.has(id)) receivedTimes.set(id, (receivedTimes.get(id) ?? 0) + 1);
    expect(Object.fromEntries([...allPoison].map((id) => [id, receivedTimes.get(id)]))).toEqual(
      Object.fromEntries([...allPoison].map((id) => [id, QUEUE_SETTINGS.maxReceiveCount])),
    );
    expect(receives.some(({ ids }) => ids.some((id) => allPoison.has(id)) && ids.some((id) => !allPoison.has(id)))).toBe(true);

    // The DLQs hold the poison and nothing else; the queues are empty.
    for (const [index, channel] of CHANNELS.entries()) {
      const dead = await drainQueue(sqs, stack.queues[channel].deadLetterUrl);
      expect(dead.map((message) => message.Body).sort(), `${channel} DLQ`).toEqual(poisonFor(channel).sort());
      expect(dead.map((message) => message.MessageId).sort()).toEqual([...(poisonIds[index] ?? [])].sort());
      expect(await queueCounts(sqs, stack.queues[channel].url), channel).toEqual({ visible: 0, inFlight: 0 });
    }

    // Every good notification delivered, exactly once.
    const deliveredOnce = async () => {
      const published = await relay.sns.published();
      const pushes = pushCounts(published);
      const sms = published.filter((message) => message.kind === 'sms').map((message) => message.phoneNumber);
      const stored = (await (await fetch(`${relay.emulators.endpoints.ses}/store`)).json()) as {
        emails: Array<{ destination: { to: string[] } }>;
      };
      const emails = stored.emails.flatMap((email) => email.destination.to);
      const events = (stack.outbox.events?.list() ?? []).map((event) => JSON.stringify(event.message));
      return (
        pushes.size === GOOD_PER_CHANNEL &&
        [...members.arnOf.values()].every((arn) => pushes.get(arn) === 1) &&
        sms.length === GOOD_PER_CHANNEL &&
        phones.every((phone) => sms.includes(phone)) &&
        emails.length === GOOD_PER_CHANNEL &&
        addresses.every((address) => emails.includes(address)) &&
        events.length === GOOD_PER_CHANNEL &&
        eventIds.every((id) => events.filter((event) => event.includes(`"${id}"`)).length === 1)
      );
    };
    await waitFor(deliveredOnce, { what: 'every good notification, once' });
    await holdsFor(deliveredOnce, {
      forMs: (VISIBILITY_SECONDS + 1) * 1000,
      what: 'exactly one delivery of each good notification',
    });
  });
});
