import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventIdempotencyKey } from '../../functions/events/event-identity.ts';
import { EventPayloadSchema } from '../../functions/events/event-schema.ts';
import { createEventsConsumer } from '../../functions/events/publish-event.ts';
import { dynamoDbDeliveryLedger } from '../../functions/shared/dynamodb-delivery-ledger.ts';
import { snsEventPublisher } from '../../functions/shared/sns-event-publisher.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { DELIVERY_TABLE } from '../../lib/table-settings.ts';
import { EVENT_FIXTURES, type EventFixture, eventFixture } from '../fixtures/events/events.ts';
import { sqsEvent, sqsRecord } from '../fixtures/events/sqs-records.ts';
import { attributesOf, drainQueue, sqsClientFor } from '../support/queues.ts';

// The events consumer against the emulators: fauxqs serves SNS on the SQS
// endpoint (topics, SQS subscriptions with raw delivery and filter policies),
// dynalite holds the delivery ledger.
const emulators = inject('emulators');
const run = randomUUID().slice(0, 8);
const sqs = sqsClientFor(emulators.sqs);
const sns = new SNSClient(localClientConfig(emulators.sqs));
const dynamo = new DynamoDBClient(localClientConfig(emulators.dynamodb));
const documents = DynamoDBDocumentClient.from(dynamo);
const tableName = `deliveries-events-${run}`;

/** Triggers the filtered subscriber asked for: message events only. */
const FILTERED_TRIGGERS = ['after_message', 'message_sent', 'message_edited', 'message_deleted'];

let topicArn: string;
let filteredQueueUrl: string;
let everythingQueueUrl: string;
let consumer: ReturnType<typeof createEventsConsumer>;

const createSubscribedQueue = async (name: string, filterPolicy?: Record<string, unknown>): Promise<string> => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
      },
    }),
  );
  return QueueUrl as string;
};

const recordOf = (name: EventFixture) => {
  const payload = eventFixture(name);
  // What ingest sets on the queued message (the consumer reads the key from it).
  return sqsRecord(payload, {
    channel: 'events',
    trigger: payload.trigger,
    idempotencyKey: eventIdempotencyKey(EventPayloadSchema.parse(payload)),
  });
};

const triggersOf = (messages: Message[]) => messages.map((message) => JSON.parse(message.Body ?? '{}').trigger).sort();

beforeAll(async () => {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: DELIVERY_TABLE.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: DELIVERY_TABLE.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  ({ TopicArn: topicArn = '' } = await sns.send(new CreateTopicCommand({ Name: `message-events-${run}` })));
  filteredQueueUrl = await createSubscribedQueue(`events-filtered-${run}`, { trigger: FILTERED_TRIGGERS });
  everythingQueueUrl = await createSubscribedQueue(`events-everything-${run}`);
  consumer = createEventsConsumer({
    publisher: snsEventPublisher({ client: sns, topicArn }),
    ledger: dynamoDbDeliveryLedger({ client: documents, tableName }),
  });
});

afterEach(async () => {
  await Promise.all([drainQueue(sqs, filteredQueueUrl), drainQueue(sqs, everythingQueueUrl)]);
});

afterAll(async () => {
  await Promise.all([
    sqs.send(new DeleteQueueCommand({ QueueUrl: filteredQueueUrl })),
    sqs.send(new DeleteQueueCommand({ QueueUrl: everythingQueueUrl })),
    sns.send(new DeleteTopicCommand({ TopicArn: topicArn })),
    dynamo.send(new DeleteTableCommand({ TableName: tableName })),
  ]);
  sqs.destroy();
  sns.destroy();
  dynamo.destroy();
});

describe('the events consumer publishing to the message-events topic', () => {
  it('delivers each event once to every subscriber whose filter policy matches, with its attributes', async () => {
    // Act: a batch of legacy and newer events, as the events queue would hand it over.
    const response = await consumer(sqsEvent(...EVENT_FIXTURES.map(recordOf)));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const everything = await drainQueue(sqs, everythingQueueUrl);
    const filtered = await drainQueue(sqs, filteredQueueUrl);
    expect(triggersOf(everything)).toEqual(
      ['after_message', 'group_member_joined', 'message_deleted', 'message_edited', 'message_reaction_added', 'message_sent'].sort(),
    );
    // The filter policy keeps message events and excludes reactions and group events.
    expect(triggersOf(filtered)).toEqual(['after_message', 'message_deleted', 'message_edited', 'message_sent']);

    const byTrigger = Object.fromEntries(everything.map((message) => [JSON.parse(message.Body ?? '{}').trigger, message]));
    expect(attributesOf(byTrigger.after_message!)).toEqual({
      trigger: 'after_message',
      receiverType: 'user',
      category: 'message',
      type: 'text',
    });
    expect(attributesOf(byTrigger.message_sent!)).toEqual({
      trigger: 'message_sent',
      receiverType: 'group',
      category: 'message',
      type: 'image',
    });
    expect(attributesOf(byTrigger.message_reaction_added!)).toEqual({ trigger: 'message_reaction_added' });
    // Raw delivery: the body is the normalised event itself.
    expect(JSON.parse(byTrigger.message_edited?.Body ?? '{}')).toMatchObject({
      version: 1,
      trigger: 'message_edited',
      message: { id: '8130', action: 'edited', target: '8127' },
    });
  });

  it('publishes a retried event (same idempotency key, new SQS message) once', async () => {
    // Prepare: the first delivery of a message_sent event.
    const payload = { ...eventFixture('message-sent'), webhook: `retry-${run}` };
    const attributes = { idempotencyKey: eventIdempotencyKey(EventPayloadSchema.parse(payload)) };
    await consumer(sqsEvent(sqsRecord(payload, attributes)));

    // Act: CometChat's retry 10 s later enqueues it again; SQS redelivers it too.
    const response = await consumer(sqsEvent(sqsRecord(payload, attributes), sqsRecord(payload, attributes)));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await drainQueue(sqs, everythingQueueUrl)).toHaveLength(1);
    expect(await drainQueue(sqs, filteredQueueUrl)).toHaveLength(1);
  });

  it('reports an invalid body as a batch item failure and publishes the rest of the batch', async () => {
    const invalid = sqsRecord({ trigger: 'message_sent', data: {}, appId: 'a1', webhook: 'w1' });
    const valid = sqsRecord({ ...eventFixture('group-member-joined'), webhook: `invalid-${run}` });
    const response = await consumer(sqsEvent(invalid, valid));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(triggersOf(await drainQueue(sqs, everythingQueueUrl))).toEqual(['group_member_joined']);
  });
});
