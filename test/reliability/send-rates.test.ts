import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakPerSecond } from '../../lib/local/send-rate-gate.ts';
import { postWebhook } from '../support/http.ts';
import { holdsFor, notificationFor, queueCounts, type Relay, startRelay, waitFor } from './support/relay.ts';

// Send rates (SPEC §5, issue 10 points 1-4) at a small N, so the suite stays fast; the bench runs 1,000 of each.
//
// The local SES and SMS emulation accepts at most its rate in any one-second window and answers the providers' own
// throttling errors above it (SES v2 429 TooManyRequestsException, SNS Throttling). First the relay paces itself to
// the emulators' rates: every email and SMS arrives once, nothing is throttled, nothing reaches a DLQ. Then the
// emulators allow far less than the relay believes: the provider throttles most sends, and throttling alone still
// puts nothing in a DLQ (the throttled records come back within seconds, by ChangeMessageVisibility or, on their
// last receive, as a delayed copy).

const N = 60;
/**
 * Longer than a paced batch takes (10 records at the slowest rate here): a record still waiting for its turn must not
 * become visible and be received a second time. Throttled records come back sooner, through their own backoff.
 */
const VISIBILITY_SECONDS = 10;

interface StoredEmail {
  readonly destination: { readonly to: readonly string[] };
}

const emailCounts = async (relay: Relay): Promise<Map<string, number>> => {
  const response = await fetch(`${relay.emulators.endpoints.ses}/store`);
  const { emails = [] } = (await response.json()) as { emails?: StoredEmail[] };
  const counts = new Map<string, number>();
  for (const address of emails.flatMap((email) => email.destination.to)) counts.set(address, (counts.get(address) ?? 0) + 1);
  return counts;
};

const smsCounts = async (relay: Relay): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  for (const message of await relay.sns.published()) {
    if (message.kind === 'sms' && message.phoneNumber)
      counts.set(message.phoneNumber, (counts.get(message.phoneNumber) ?? 0) + 1);
  }
  return counts;
};

/** Posts one email and one SMS webhook per recipient; answers the addresses and phone numbers. */
const burst = async (relay: Relay, name: string, count: number) => {
  const phones = Array.from({ length: count }, (_, index) => `+1415556${String(1000 + index)}`);
  const addresses = Array.from({ length: count }, (_, index) => `${name}-${index}@example.com`);
  const answers = await Promise.all([
    ...phones.map((phone, index) => {
      const payload = notificationFor('sms-one-on-one', `${name}-sms-${index}`, `${name}-sms-${index}`);
      payload.data.to.phno = phone;
      return postWebhook(relay.stack.webhookUrls.sms, payload);
    }),
    ...addresses.map((address, index) => {
      const payload = notificationFor('email-one-on-one', `${name}-email-${index}`, `${name}-email-${index}`);
      payload.data.to.email = address;
      return postWebhook(relay.stack.webhookUrls.email, payload);
    }),
  ]);
  expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual([]);
  return { phones, addresses };
};

const expectEveryoneOnceAndNoDeadLetters = async (
  relay: Relay,
  { phones, addresses }: { phones: string[]; addresses: string[] },
) => {
  // aws-ses-v2-local keeps one store per process: only this burst's addresses count.
  const mine = new Set(addresses);
  const everyoneOnce = async () => {
    const [sms, emails] = [await smsCounts(relay), await emailCounts(relay)];
    const ownEmails = [...emails.keys()].filter((address) => mine.has(address));
    return (
      phones.every((phone) => sms.get(phone) === 1) &&
      addresses.every((address) => emails.get(address) === 1) &&
      sms.size === phones.length &&
      ownEmails.length === addresses.length
    );
  };
  await waitFor(everyoneOnce, { timeoutMs: 90_000, intervalMs: 250, what: 'one SMS and one email for everyone' });
  await relay.stack.idle();
  await holdsFor(everyoneOnce, { forMs: 2000, what: 'exactly one delivery each' });
  for (const channel of ['sms', 'email'] as const) {
    expect(await queueCounts(relay.sqs, relay.stack.queues[channel].url), channel).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueCounts(relay.sqs, relay.stack.queues[channel].deadLetterUrl), `${channel} DLQ`).toEqual({
      visible: 0,
      inFlight: 0,
    });
  }
};

describe('a burst at the providers’ default rates (SES 14/s, SMS 20/s)', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({
      emulators: { sendRates: { email: 14, sms: 20 } },
      stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS, sendRates: { email: 14, sms: 20 } },
    });
  });
  afterAll(async () => relay?.stop());

  it('is delivered once each, never above the rate in any second, never throttled, nothing in a DLQ', async () => {
    // Act
    const recipients = await burst(relay, 'paced', N);

    // Assess
    await expectEveryoneOnceAndNoDeadLetters(relay, recipients);
    const { email, sms } = relay.emulators.sendRates;
    expect(email.accepted()).toHaveLength(N);
    expect(sms.accepted()).toHaveLength(N);
    expect(peakPerSecond(email.accepted())).toBeLessThanOrEqual(14);
    expect(peakPerSecond(sms.accepted())).toBeLessThanOrEqual(20);
    // The relay's own pacing held the rate: the providers never had to refuse a send.
    expect({ email: email.throttled(), sms: sms.throttled() }).toEqual({ email: 0, sms: 0 });
  });
});

describe('providers that allow far less than the relay is configured for', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({
      emulators: { sendRates: { email: 4, sms: 5 } },
      stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS, sendRates: { email: 14, sms: 20 } },
    });
  });
  afterAll(async () => relay?.stop());

  it('throttle most sends, and still every message is delivered once and none reaches a DLQ', async () => {
    // Act
    const recipients = await burst(relay, 'throttled', 30);

    // Assess
    await expectEveryoneOnceAndNoDeadLetters(relay, recipients);
    const { email, sms } = relay.emulators.sendRates;
    expect(peakPerSecond(email.accepted())).toBeLessThanOrEqual(4);
    expect(peakPerSecond(sms.accepted())).toBeLessThanOrEqual(5);
    // The throttling did happen, far more often than the 5 receives a message has before its DLQ.
    expect(email.throttled()).toBeGreaterThan(30);
    expect(sms.throttled()).toBeGreaterThan(30);
  });
});
