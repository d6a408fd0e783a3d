import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eventIdempotencyKey } from '../../functions/events/event-identity.ts';
import { EventPayloadSchema } from '../../functions/events/event-schema.ts';
import { type EventOutcome, createEventsConsumer } from '../../functions/events/publish-event.ts';
import type { ClaimResult, DeliveryLedger } from '../../functions/shared/ports/delivery-ledger.ts';
import type { EventPublisher, PublishableEvent } from '../../functions/shared/ports/event-publisher.ts';
import { type EventFixture, eventFixture } from '../fixtures/events/events.ts';
import { sqsEvent, sqsRecord } from '../fixtures/events/sqs-records.ts';

// The events consumer with in-memory ports; test/integration/events-publisher.test.ts
// runs it against the SNS/SQS and DynamoDB emulators.
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:message-events';

const memoryLedger = () => {
  const records = new Map<string, 'in_progress' | 'sent'>();
  const ledger: DeliveryLedger = {
    async claim(key): Promise<ClaimResult> {
      const status = records.get(key);
      if (status === 'sent') return 'already_sent';
      if (status === 'in_progress') return 'in_progress';
      records.set(key, 'in_progress');
      return 'claimed';
    },
    async markSent(key) {
      records.set(key, 'sent');
    },
    async release(key) {
      if (records.get(key) === 'in_progress') records.delete(key);
    },
  };
  return { ledger, records };
};

const recordingPublisher = (fail: (event: PublishableEvent) => boolean = () => false) => {
  const published: PublishableEvent[] = [];
  const publisher: EventPublisher = {
    target: TOPIC,
    async publish(event) {
      if (fail(event)) throw new Error('SNS throttled');
      published.push(event);
      return { messageId: `sns-${published.length}` };
    },
  };
  return { publisher, published };
};

const record = (body: unknown, idempotencyKey?: string): SQSRecord =>
  sqsRecord(body, idempotencyKey ? { idempotencyKey } : {});

const keyOf = (name: EventFixture) => eventIdempotencyKey(EventPayloadSchema.parse(eventFixture(name)));
const batch = sqsEvent;

const setup = (fail?: (event: PublishableEvent) => boolean) => {
  const { ledger, records } = memoryLedger();
  const { publisher, published } = recordingPublisher(fail);
  const outcomes: EventOutcome[] = [];
  const consumer = createEventsConsumer({ publisher, ledger, onOutcome: (outcome) => outcomes.push(outcome) });
  return { consumer, published, records, outcomes };
};

describe('createEventsConsumer', () => {
  it('publishes each event once, normalised, with its filter attributes and receivedAt', async () => {
    // Prepare
    const { consumer, published, outcomes } = setup();

    // Act
    const response = await consumer(
      batch(
        record(eventFixture('after-message'), keyOf('after-message')),
        record(eventFixture('message-sent'), keyOf('message-sent')),
      ),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(published.map((event) => event.attributes)).toEqual(
      expect.arrayContaining([
        { trigger: 'after_message', receiverType: 'user', category: 'message', type: 'text' },
        { trigger: 'message_sent', receiverType: 'group', category: 'message', type: 'image' },
      ]),
    );
    const legacy = published.map((event) => JSON.parse(event.message)).find((event) => event.trigger === 'after_message');
    expect(legacy).toMatchObject({ version: 1, eventId: keyOf('after-message'), receivedAt: '2024-06-17T08:00:35.000Z' });
    expect(outcomes).toEqual([{ outcome: 'sent' }, { outcome: 'sent' }]);
  });

  it('skips a retried event (same idempotency key) as a duplicate', async () => {
    const { consumer, published, outcomes } = setup();
    await consumer(batch(record(eventFixture('message-edited'), keyOf('message-edited'))));
    const response = await consumer(batch(record(eventFixture('message-edited'), keyOf('message-edited'))));
    expect(response.batchItemFailures).toEqual([]);
    expect(published).toHaveLength(1);
    expect(outcomes.at(-1)).toEqual({ outcome: 'skipped', reason: 'duplicate' });
  });

  it('computes the key from the body when the attribute is missing (a hand-sent or redriven message)', async () => {
    const { consumer, records } = setup();
    await consumer(batch(record(eventFixture('group-member-joined'))));
    expect([...records.keys()]).toEqual([`${keyOf('group-member-joined')}#${TOPIC}`]);
  });

  it('keeps one delivery record per event and topic', async () => {
    const { consumer, records } = setup();
    await consumer(batch(record(eventFixture('message-sent'), keyOf('message-sent'))));
    expect(Object.fromEntries(records)).toEqual({ [`${keyOf('message-sent')}#${TOPIC}`]: 'sent' });
  });

  it('reports a record whose claim is held elsewhere as a batch item failure', async () => {
    const { consumer, records, published } = setup();
    records.set(`${keyOf('message-sent')}#${TOPIC}`, 'in_progress');
    const held = record(eventFixture('message-sent'), keyOf('message-sent'));
    const response = await consumer(batch(held));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: held.messageId }]);
    expect(published).toEqual([]);
  });

  it('releases the claim and fails only that record when publishing fails', async () => {
    // Prepare
    const { consumer, records, published, outcomes } = setup((event) => event.attributes.trigger === 'message_deleted');
    const failing = record(eventFixture('message-deleted'), keyOf('message-deleted'));

    // Act
    const response = await consumer(batch(failing, record(eventFixture('message-sent'), keyOf('message-sent'))));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(published.map((event) => event.attributes.trigger)).toEqual(['message_sent']);
    expect(records.has(`${keyOf('message-deleted')}#${TOPIC}`)).toBe(false);
    expect(outcomes).toContainEqual({ outcome: 'retry', reason: 'publish_failed' });
  });

  it('fails (for the DLQ) a body that is not an event, without failing the batch', async () => {
    const { consumer, published, outcomes } = setup();
    const notJson = record('{oops');
    const wrongTrigger = record({ ...eventFixture('message-sent'), trigger: 'before_message' });
    const response = await consumer(batch(notJson, wrongTrigger, record(eventFixture('message-sent'))));
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: notJson.messageId },
      { itemIdentifier: wrongTrigger.messageId },
    ]);
    expect(published).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'failed')).toHaveLength(2);
  });

  it('answers a partial response rather than throwing when every record fails', async () => {
    const { consumer } = setup(() => true);
    const only = record(eventFixture('message-sent'));
    await expect(consumer(batch(only))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: only.messageId }] });
  });

  it('leaves a record retryable when the ledger cannot be reached', async () => {
    const { publisher, published } = recordingPublisher();
    const failingLedger: DeliveryLedger = {
      claim: () => Promise.reject(new Error('DynamoDB throttled')),
      markSent: async () => {},
      release: async () => {},
    };
    const outcomes: EventOutcome[] = [];
    const consumer = createEventsConsumer({ publisher, ledger: failingLedger, onOutcome: (o) => outcomes.push(o) });
    const only = record(eventFixture('message-sent'));
    expect((await consumer(batch(only))).batchItemFailures).toEqual([{ itemIdentifier: only.messageId }]);
    expect(published).toEqual([]);
    expect(outcomes).toEqual([{ outcome: 'retry', reason: 'ledger_failed' }]);
  });

  it('does not fail a published record when marking it sent fails (that would publish it again)', async () => {
    const { ledger } = memoryLedger();
    const { publisher, published } = recordingPublisher();
    const consumer = createEventsConsumer({
      publisher,
      ledger: { ...ledger, markSent: () => Promise.reject(new Error('DynamoDB down')) },
    });
    expect((await consumer(batch(record(eventFixture('message-sent'))))).batchItemFailures).toEqual([]);
    expect(published).toHaveLength(1);
  });
});
