import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import { startEmulators } from '../lib/local/emulators.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { LOCAL_SEND_RATE_DEFAULTS } from '../lib/local/local-send-rates.ts';
import { startLocalStack } from '../lib/local/local-stack.ts';
import { peakPerSecond, type SendRateGate } from '../lib/local/send-rate-gate.ts';
import { seed } from '../test/fixtures/seeds.ts';
import { queueCounts } from '../test/support/queues.ts';

const CREDENTIALS = { username: 'cometchat', password: 'bench-password-0123' };
/** Webhooks in flight at once while the burst is posted. */
const POSTING_CONCURRENCY = 20;
/** A webhook not answered 200 is posted again, as CometChat retries, at most this many times. */
const POSTING_ATTEMPTS = 5;

export interface RatesRequest {
  readonly recipients: number;
}

export interface RateRun {
  readonly channel: 'email' | 'sms';
  readonly recipients: number;
  readonly ratePerSecond: number;
  /** Webhooks answered 200 (after CometChat-style retries of any other answer). */
  readonly answered200: number;
  /** Answers other than 200 that were retried (the local SQS emulator under load can answer 503). */
  readonly retriedAnswers: number;
  /** Recipients that got exactly one message. */
  readonly deliveredOnce: number;
  readonly duplicates: number;
  readonly missing: number;
  /** Messages in the channel's DLQ once drained. */
  readonly deadLetters: number;
  /** Most sends the provider accepted in any one-second window. */
  readonly peakPerSecond: number;
  /** Sends the provider refused with its throttling error (the relay paces itself: expected 0). */
  readonly throttled: number;
  /** From the first webhook posted to the last send the provider accepted. */
  readonly drainedMs: number;
  /** 1.2 × N / rate. */
  readonly targetMs: number;
}

export interface RatesResult {
  readonly runs: readonly RateRun[];
}

/**
 * A 1,000-recipient email burst and a 1,000-recipient SMS burst through the
 * whole local stack at the providers' default rates (SES 14/s, SNS SMS 20/s),
 * both at once: the local SES and SMS emulation refuse anything above the
 * rate with the providers' throttling errors, and count what they accept.
 */
const measureRates = async ({ recipients }: RatesRequest): Promise<RatesResult> => {
  const rates = { email: LOCAL_SEND_RATE_DEFAULTS.email, sms: LOCAL_SEND_RATE_DEFAULTS.sms };
  const emulators = await startEmulators({ sendRates: rates });
  const stack = await startLocalStack({
    port: 0,
    emulators: emulators.endpoints,
    resourcePrefix: `bench-rates-${randomUUID().slice(0, 8)}`,
    webhookCredentials: [CREDENTIALS],
    sendRates: rates,
  });
  const sqs = new SQSClient({ ...localClientConfig(emulators.endpoints.sqs), useQueueUrlAsEndpoint: false });
  try {
    const run = async (channel: 'email' | 'sms', gate: SendRateGate): Promise<RateRun> => {
      const targets = Array.from({ length: recipients }, (_, index) =>
        channel === 'email' ? `rates-${index}@example.com` : `+1415557${String(index).padStart(4, '0')}`,
      );
      const startedAt = Date.now();
      const { statuses, retried } = await postAll(
        stack.webhookUrls[channel],
        targets.map((to, index) => payloadFor(channel, to, index)),
      );
      const counts = await waitForDeliveries(channel, targets, gate, emulators.endpoints.ses, stack, recipients);
      const accepted = gate.accepted();
      const drainedMs = (accepted.at(-1) ?? Number.NaN) - startedAt;
      const deadLetters = await queueCounts(sqs, stack.queues[channel].deadLetterUrl);
      return {
        channel,
        recipients,
        ratePerSecond: gate.ratePerSecond,
        answered200: statuses.filter((status) => status === 200).length,
        retriedAnswers: retried,
        deliveredOnce: targets.filter((to) => counts.get(to) === 1).length,
        duplicates: targets.filter((to) => (counts.get(to) ?? 0) > 1).length,
        missing: targets.filter((to) => !counts.has(to)).length,
        deadLetters: deadLetters.visible + deadLetters.inFlight,
        peakPerSecond: peakPerSecond(accepted),
        throttled: gate.throttled(),
        drainedMs,
        targetMs: (1.2 * recipients * 1000) / gate.ratePerSecond,
      };
    };
    const runs = await Promise.all([run('email', emulators.sendRates.email), run('sms', emulators.sendRates.sms)]);
    await stack.idle();
    return { runs };
  } finally {
    sqs.destroy();
    await stack.stop();
    await emulators.stop();
  }
};

const payloadFor = (channel: 'email' | 'sms', to: string, index: number): Record<string, any> => {
  const payload = seed(channel === 'email' ? 'email-one-on-one' : 'sms-one-on-one');
  payload.data.to.uid = `rates-${channel}-${index}`;
  if (channel === 'email') payload.data.to.email = to;
  else payload.data.to.phno = to;
  for (const message of payload.data.messages as Array<{ messageObject?: { id?: string } }>) {
    if (message.messageObject) message.messageObject.id = `rates-${channel}-${index}`;
  }
  return payload;
};

/** Posts every payload, `POSTING_CONCURRENCY` at a time, again after a second if not answered 200; answers the final statuses. */
const postAll = async (url: string, payloads: readonly unknown[]): Promise<{ statuses: number[]; retried: number }> => {
  const statuses: number[] = [];
  let retried = 0;
  let next = 0;
  const post = async (payload: unknown): Promise<number> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: encodeBasicAuth(CREDENTIALS), 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    await response.text();
    return response.status;
  };
  const worker = async () => {
    while (next < payloads.length) {
      const payload = payloads[next++];
      let status = await post(payload);
      for (let attempt = 1; status !== 200 && attempt < POSTING_ATTEMPTS; attempt += 1) {
        retried += 1;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        status = await post(payload);
      }
      statuses.push(status);
    }
  };
  await Promise.all(Array.from({ length: POSTING_CONCURRENCY }, worker));
  return { statuses, retried };
};

/** Waits (up to 3 × the target) until the provider accepted one send per recipient; answers the sends per recipient. */
const waitForDeliveries = async (
  channel: 'email' | 'sms',
  targets: readonly string[],
  gate: SendRateGate,
  sesEndpoint: string,
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  recipients: number,
): Promise<Map<string, number>> => {
  const deadline = Date.now() + (3 * 1.2 * recipients * 1000) / gate.ratePerSecond;
  while (gate.accepted().length < targets.length && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const counts = new Map<string, number>();
  const mine = new Set(targets);
  const add = (to: string | undefined) => {
    if (to !== undefined && mine.has(to)) counts.set(to, (counts.get(to) ?? 0) + 1);
  };
  if (channel === 'email') {
    const { emails = [] } = (await (await fetch(`${sesEndpoint}/store`)).json()) as {
      emails?: { destination: { to: string[] } }[];
    };
    for (const email of emails) for (const to of email.destination.to) add(to);
  } else {
    for (const message of await stack.outbox.sns.published()) if (message.kind === 'sms') add(message.phoneNumber);
  }
  return counts;
};

// Runs in its own process (see bench/rates.ts): the relay's INFO logs and EMF metrics go to a stdout that goes nowhere.
process.once('message', (request: RatesRequest) => {
  measureRates(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
