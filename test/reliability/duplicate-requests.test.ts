import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../functions/shared/channels.ts';
import { eventFixture } from '../fixtures/events/events.ts';
import { postWebhook } from '../support/http.ts';
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

// CometChat retries, and SQS delivers at least once: the same payload, posted 50 times at once,
// is accepted every time (each copy is durably queued) and delivered exactly once, on every channel.
// The copies land in the same batches and in different ones, so the ledger sees both concurrent
// claims (the losers come back after the visibility timeout) and claims of something already sent.

const COPIES = 50;
const VISIBILITY_SECONDS = 1;

let relay: Relay;

beforeAll(async () => {
  relay = await startRelay({ stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS } });
});

afterAll(async () => {
  await relay?.stop();
});

describe('the same payload sent 50 times at once', () => {
  it('is accepted 50 times and delivered once, for push, SMS, email and events', async () => {
    // Prepare: one payload per channel.
    const { stack, sqs } = relay;
    const member = await registerMembers(stack, 'repeated', 1);
    const [uid] = member.uids as [string];
    const push = notificationFor('push-chat', uid, 'repeated-push');
    const sms = notificationFor('sms-one-on-one', 'repeated-sms', 'repeated-sms');
    sms.data.to.phno = '+14155553000';
    const email = notificationFor('email-one-on-one', 'repeated-email', 'repeated-email');
    email.data.to.email = 'repeated@example.com';
    const event = eventFixture('message-sent');
    event.data.message.id = 'repeated-event';
    const payloads = { push, sms, email, events: event };

    // Act: every copy of every payload at once.
    const answers = await Promise.all(
      CHANNELS.flatMap((channel) =>
        Array.from({ length: COPIES }, () => postWebhook(stack.webhookUrls[channel], payloads[channel])),
      ),
    );

    // Assess: all accepted, each as its own queue message.
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.json.id)).size).toBe(COPIES * CHANNELS.length);

    const deliveries = async () => {
      const published = await relay.sns.published();
      const stored = (await (await fetch(`${relay.emulators.endpoints.ses}/store`)).json()) as {
        emails: Array<{ destination: { to: string[] } }>;
      };
      return {
        push: [...pushCounts(published)].map(([arn, count]) => `${member.uidOf.get(arn)}: ${count}`),
        sms: published.filter((message) => message.kind === 'sms' && message.phoneNumber === '+14155553000').length,
        email: stored.emails.filter((stored) => stored.destination.to.includes('repeated@example.com')).length,
        events: (stack.outbox.events?.list() ?? []).filter((recorded) =>
          JSON.stringify(recorded.message).includes('"repeated-event"'),
        ).length,
      };
    };
    const once = { push: [`${uid}: 1`], sms: 1, email: 1, events: 1 };
    await waitFor(async () => JSON.stringify(await deliveries()) === JSON.stringify(once), {
      timeoutMs: 30_000,
      what: 'one delivery per channel',
    });
    await stack.idle();
    await holdsFor(async () => JSON.stringify(await deliveries()) === JSON.stringify(once), {
      forMs: (VISIBILITY_SECONDS + 1) * 1000,
      what: 'exactly one delivery per channel',
    });
    expect(await deliveries()).toEqual(once);
    for (const channel of CHANNELS) {
      expect(await queueCounts(sqs, stack.queues[channel].url), channel).toEqual({ visible: 0, inFlight: 0 });
      expect(await queueCounts(sqs, stack.queues[channel].deadLetterUrl), `${channel} DLQ`).toEqual({ visible: 0, inFlight: 0 });
    }
  });
});
