import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createEmailConsumer } from '../../functions/consumers/channel-consumers.ts';
import { EARLIER_RECEIVES_ATTRIBUTE } from '../../functions/consumers/throttle-deferral.ts';
import type { DeliveryLedger } from '../../functions/shared/ports/delivery-ledger.ts';
import type { RecipientDirectory } from '../../functions/shared/ports/directory.ts';
import type { EmailSender } from '../../functions/shared/ports/senders.ts';
import type { ThrottledRecords } from '../../functions/shared/ports/throttled-records.ts';
import { seed } from '../fixtures/seeds.ts';

// The consumer with in-memory ports: what it answers SQS when the provider throttles (throttle-deferral.ts), and
// when it fails for another reason. The whole path runs against the emulators in test/reliability/send-rates.test.ts.

const ledger: DeliveryLedger = { claim: async () => 'claimed', markSent: async () => {}, release: async () => {} };
const directory = { contactOf: async () => undefined } as unknown as RecipientDirectory;
const failingWith = (name: string, status: number): EmailSender => ({
  sendEmail: async () => Promise.reject(Object.assign(new Error('refused'), { name, $metadata: { httpStatusCode: status } })),
});

const recording = () => {
  const calls: string[] = [];
  const port: ThrottledRecords = {
    delay: async (record, seconds) => void calls.push(`delay ${record.receiptHandle} ${seconds}s`),
    requeue: async (record, seconds) => void calls.push(`requeue ${record.attributes[EARLIER_RECEIVES_ATTRIBUTE]} ${seconds}s`),
  };
  return { port, calls };
};

const eventWith = (receiveCount: number): SQSEvent => {
  const payload = seed('email-one-on-one');
  payload.data.to.email = 'reader@example.com';
  const record = {
    messageId: 'm-1',
    receiptHandle: 'handle-1',
    body: JSON.stringify(payload),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1' },
    messageAttributes: { idempotencyKey: { dataType: 'String', stringValue: 'email:key' } },
    eventSource: 'aws:sqs',
  } as unknown as SQSRecord;
  return { Records: [record] };
};

const context = {} as Context;

describe('a record the provider throttled', () => {
  it('with receives left: its visibility is shortened to seconds and it is reported failed, to come back', async () => {
    const { port, calls } = recording();
    const consume = createEmailConsumer({
      directory,
      ledger,
      sender: failingWith('TooManyRequestsException', 429),
      throttledRecords: port,
    });

    const answer = await consume(eventWith(2), context);

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^delay handle-1 [12]s$/);
  });

  it('on its last receive: a delayed copy is sent and the original is reported done, so it never reaches the DLQ', async () => {
    const { port, calls } = recording();
    const consume = createEmailConsumer({
      directory,
      ledger,
      sender: failingWith('TooManyRequestsException', 429),
      throttledRecords: port,
    });

    const answer = await consume(eventWith(5), context);

    expect(answer.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^requeue 5 (8|9|1\d)s$/);
  });

  it('failing for another reason: left to its visibility timeout and the DLQ, never deferred', async () => {
    const { port, calls } = recording();
    const consume = createEmailConsumer({
      directory,
      ledger,
      sender: failingWith('ServiceUnavailable', 503),
      throttledRecords: port,
    });

    expect((await consume(eventWith(5), context)).batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(calls).toEqual([]);
  });
});

describe('a record whose notification another worker is delivering (its claim is held)', () => {
  it('is put back for seconds like a throttled one, and on its last receive requeued: a twin in flight never sends it to the DLQ', async () => {
    const { port, calls } = recording();
    const held: DeliveryLedger = { ...ledger, claim: async () => 'in_progress' };
    const consume = createEmailConsumer({
      directory,
      ledger: held,
      sender: { sendEmail: async () => Promise.reject(new Error('must not be called: the claim is held')) },
      throttledRecords: port,
    });

    expect((await consume(eventWith(1), context)).batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect((await consume(eventWith(5), context)).batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^delay handle-1 1s$/);
    expect(calls[1]).toMatch(/^requeue 5 /);
  });
});
