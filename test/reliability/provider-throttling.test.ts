import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../functions/shared/channels.ts';
import { postWebhook } from '../support/http.ts';
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

// SNS and SES throttle the relay for a while, then recover: every push, SMS and email is delivered
// exactly once after the throttling lifts, nothing ends in a DLQ.
//
// SNS: the project's emulator answers the next 60 Publish calls with `Throttled` (429) (`injectFault`
// with a count); a pass-through proxy in front of it counts the 429s, so the test knows they were all
// answered. SES: aws-ses-v2-local has no fault injection, so a proxy in front of it answers the next 30
// SendEmail calls itself with 429 `TooManyRequestsException`, as SES v2 does when the sending rate is
// exceeded. The SDK retries a few of them itself; the rest fail the delivery, which the consumer
// reports as a batch item failure; being throttling, it comes back after a backoff of seconds
// (ChangeMessageVisibility, throttle-deferral.ts), not after the visibility timeout, and never reaches a DLQ.

const PER_CHANNEL = 20;
const SNS_THROTTLES = 60;
const SES_THROTTLES = 30;
/**
 * Longer than a paced batch with the SDK's own throttling retries takes on a busy machine, so that no record is
 * received a second time while its first delivery is still in flight; throttled records come back sooner anyway.
 */
const VISIBILITY_SECONDS = 5;

const throttled = { sns: 0, ses: 0 };
let sesThrottlesLeft = SES_THROTTLES;

const throttleSes = (request: ProxiedRequest): ProxiedResponse | undefined => {
  if (request.method !== 'POST' || !request.path.startsWith('/v2/email/outbound-emails') || sesThrottlesLeft === 0)
    return undefined;
  sesThrottlesLeft -= 1;
  throttled.ses += 1;
  return {
    status: 429,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
    body: JSON.stringify({ message: 'Maximum sending rate exceeded.' }),
  };
};

const countSnsThrottles = (request: ProxiedRequest, response: ProxiedResponse): void => {
  if (response.status === 429 && new URLSearchParams(request.body.toString('utf8')).get('Action') === 'Publish')
    throttled.sns += 1;
};

let relay: Relay;
const proxies: HttpProxy[] = [];

beforeAll(async () => {
  relay = await startRelay({
    stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS },
    route: async (endpoints) => {
      const ses = await startHttpProxy({ target: endpoints.ses, intercept: throttleSes });
      const sns = await startHttpProxy({ target: endpoints.sns, observe: countSnsThrottles });
      proxies.push(ses, sns);
      return { ...endpoints, ses: ses.url, sns: sns.url };
    },
  });
});

afterAll(async () => {
  await relay?.stop();
  for (const proxy of proxies) await proxy.stop();
});

interface StoredEmail {
  readonly destination: { readonly to: readonly string[] };
}

/** Emails aws-ses-v2-local accepted, per address. */
const emailCounts = async (): Promise<Map<string, number>> => {
  const response = await fetch(`${relay.emulators.endpoints.ses}/store`);
  const { emails = [] } = (await response.json()) as { emails?: StoredEmail[] };
  const counts = new Map<string, number>();
  for (const address of emails.flatMap((email) => email.destination.to)) counts.set(address, (counts.get(address) ?? 0) + 1);
  return counts;
};

const smsCounts = async (): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  for (const message of await relay.sns.published()) {
    if (message.kind === 'sms' && message.phoneNumber)
      counts.set(message.phoneNumber, (counts.get(message.phoneNumber) ?? 0) + 1);
  }
  return counts;
};

describe('SNS and SES throttling for a while', () => {
  it('delivers every push, SMS and email exactly once after the throttling lifts', async () => {
    // Prepare: 20 members with a device, 20 phone numbers, 20 addresses; both providers throttle what comes next.
    const { stack, sqs } = relay;
    const members = await registerMembers(stack, 'throttled', PER_CHANNEL);
    const phones = Array.from({ length: PER_CHANNEL }, (_, index) => `+1415555${String(1000 + index)}`);
    const addresses = Array.from({ length: PER_CHANNEL }, (_, index) => `reader-${index}@example.com`);
    await relay.sns.injectFault({ action: 'Publish', code: 'Throttled', count: SNS_THROTTLES });

    // Act
    const answers = await Promise.all([
      ...members.uids.map((uid) => postWebhook(stack.webhookUrls.push, notificationFor('push-chat', uid, `throttled-${uid}`))),
      ...phones.map((phone, index) => {
        const payload = notificationFor('sms-one-on-one', `sms-reader-${index}`, `throttled-sms-${index}`);
        payload.data.to.phno = phone;
        return postWebhook(stack.webhookUrls.sms, payload);
      }),
      ...addresses.map((address, index) => {
        const payload = notificationFor('email-one-on-one', `email-reader-${index}`, `throttled-email-${index}`);
        payload.data.to.email = address;
        return postWebhook(stack.webhookUrls.email, payload);
      }),
    ]);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual([]);

    // Assess: everyone gets theirs once the throttling is over, and nothing more comes after.
    const everyoneOnce = async () => {
      const [pushes, sms, emails] = [pushCounts(await relay.sns.published()), await smsCounts(), await emailCounts()];
      return (
        [...members.arnOf.values()].every((arn) => pushes.get(arn) === 1) &&
        phones.every((phone) => sms.get(phone) === 1) &&
        addresses.every((address) => emails.get(address) === 1) &&
        pushes.size === PER_CHANNEL &&
        sms.size === PER_CHANNEL &&
        emails.size === PER_CHANNEL
      );
    };
    await waitFor(everyoneOnce, { timeoutMs: 40_000, intervalMs: 200, what: 'one push, SMS and email for everyone' });
    await stack.idle();
    await holdsFor(everyoneOnce, { forMs: (VISIBILITY_SECONDS + 1) * 1000, what: 'exactly one delivery each' });
    for (const channel of CHANNELS) {
      expect(await queueCounts(sqs, stack.queues[channel].url), channel).toEqual({ visible: 0, inFlight: 0 });
      expect(await queueCounts(sqs, stack.queues[channel].deadLetterUrl), `${channel} DLQ`).toEqual({ visible: 0, inFlight: 0 });
    }
    // The throttling did happen: every injected SNS fault was answered, and every SES 429.
    expect(throttled).toEqual({ sns: SNS_THROTTLES, ses: SES_THROTTLES });
  });
});
