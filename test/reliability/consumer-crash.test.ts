import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushConsumer } from '../../functions/consumers/channel-consumers.ts';
import { snsPushSender } from '../../functions/shared/aws-senders.ts';
import { createDocumentClient } from '../../functions/shared/clients/dynamodb.ts';
import { dynamoDbDeliveryLedger } from '../../functions/shared/dynamodb-delivery-ledger.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import type { ClaimResult, DeliveryLedger } from '../../functions/shared/ports/delivery-ledger.ts';
import type { PushSender } from '../../functions/shared/ports/senders.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { type SqsPoller, startSqsPoller } from '../../lib/local/sqs-poller.ts';
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

// A push consumer dies in the middle of a batch, after some of its pushes went out: the invocation
// never answers, so nothing of the batch is deleted and all of it comes back after the visibility
// timeout. The ones already sent must not be sent again (the ledger knows them); the rest must go out.
//
// The local stack runs with its consumers off; this file polls the push queue itself, with the relay's
// own push consumer, ledger, directory and SNS sender, and wraps the sender and ledger of one invocation
// so that it "crashes" when it is about to send its fourth push: it waits until its first three pushes
// are marked sent (so this tests the ledger, not the one window deliverOnce documents between a send
// and its mark), then rejects the whole invocation and never completes another call, as a killed
// process would not. Its other records stay claimed; the lease here is 1 s, shorter than the 2 s
// visibility timeout as the deployed lease (60 s) is shorter than the deployed visibility (180 s), so
// the redelivery may claim them again (this consumer puts no record back for seconds, so with the
// ledger's 60 s default they would use up their 5 receives and end in the DLQ).

const VISIBILITY_SECONDS = 2;
/** Shorter than the visibility timeout, as deployed; longer than any attempt of this test's (no provider retries). */
const LEASE_SECONDS = 1;
const SENDS_BEFORE_CRASH = 3;
const MEMBERS = 25;

let relay: Relay;
let poller: SqsPoller | undefined;
let snsClient: SNSClient;
let dynamodb: DynamoDBDocumentClient;

beforeAll(async () => {
  relay = await startRelay({ stack: { consumers: false, visibilityTimeoutSeconds: VISIBILITY_SECONDS } });
  snsClient = new SNSClient(localClientConfig(relay.emulators.endpoints.sns));
  dynamodb = createDocumentClient(localClientConfig(relay.emulators.endpoints.dynamodb));
});

afterAll(async () => {
  await poller?.stop();
  snsClient?.destroy();
  dynamodb?.destroy();
  await relay?.stop();
});

/** Never settles: what a call made by a dead process looks like from outside. */
const never = <T>(): Promise<T> => new Promise<T>(() => {});

interface CrashRecord {
  crashes: number;
  /** Claims answered `already_sent`: redelivered records the ledger recognised. */
  alreadySent: number;
  /** How many records the crashed invocation had. */
  crashedBatchSize: number;
}

describe('a push consumer killed mid-batch', () => {
  it('sends every push exactly once after the redelivery', async () => {
    // Prepare: 25 members with a device each, one push queued for each (consumers off, so they wait in the queue).
    const { stack, sqs } = relay;
    const members = await registerMembers(stack, 'crash', MEMBERS);
    for (const uid of members.uids) {
      const response = await postWebhook(stack.webhookUrls.push, notificationFor('push-chat', uid, `crash-${uid}`));
      expect(response.status, response.text).toBe(200);
    }
    expect(await queueCounts(sqs, stack.queues.push.url)).toEqual({ visible: MEMBERS, inFlight: 0 });

    const directory = new DynamoDbDirectory({ client: dynamodb, tableName: stack.tables.directory });
    const realLedger = dynamoDbDeliveryLedger({
      client: dynamodb,
      tableName: stack.tables.deliveries,
      leaseSeconds: LEASE_SECONDS,
    });
    const realSender = snsPushSender(snsClient);
    const record: CrashRecord = { crashes: 0, alreadySent: 0, crashedBatchSize: 0 };
    const countingLedger: DeliveryLedger = {
      ...realLedger,
      claim: async (key) => {
        const result: ClaimResult = await realLedger.claim(key);
        if (result === 'already_sent') record.alreadySent += 1;
        return result;
      },
    };
    const healthy = createPushConsumer({ directory, sender: realSender, ledger: countingLedger });

    /** The one invocation that dies: its own sender and ledger, and a promise that rejects when it does. */
    const dyingInvocation = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
      record.crashes += 1;
      record.crashedBatchSize = event.Records.length;
      let dead = false;
      let sends = 0;
      let marked = 0;
      let crash: (error: Error) => void = () => {};
      const crashed = new Promise<never>((_, reject) => {
        crash = reject;
      });
      const sender: PushSender = {
        publishToEndpoint: async (input) => {
          if (dead) return never();
          if (sends >= SENDS_BEFORE_CRASH) {
            await waitFor(() => marked >= SENDS_BEFORE_CRASH, {
              timeoutMs: 5_000,
              intervalMs: 10,
              what: 'the first pushes to be marked sent',
            });
            dead = true;
            crash(new Error(`consumer crashed after ${SENDS_BEFORE_CRASH} sends`));
            return never();
          }
          sends += 1;
          return realSender.publishToEndpoint(input);
        },
      };
      const ledger: DeliveryLedger = {
        claim: (key) => (dead ? never() : countingLedger.claim(key)),
        markSent: async (key) => {
          if (dead) return never();
          await realLedger.markSent(key);
          marked += 1;
        },
        release: (key) => (dead ? never() : realLedger.release(key)),
      };
      const consumer = createPushConsumer({ directory, sender, ledger });
      return Promise.race([consumer(event, context), crashed]);
    };

    // The first batch big enough to crash in the middle of dies; every later one is handled normally.
    const handler = (event: SQSEvent, context: Context) =>
      record.crashes === 0 && event.Records.length > SENDS_BEFORE_CRASH
        ? dyingInvocation(event, context)
        : healthy(event, context);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.queues.push.url, AttributeNames: ['QueueArn'] }),
    );
    const crashes: unknown[] = [];

    // Act
    poller = startSqsPoller({
      sqs,
      queueUrl: stack.queues.push.url,
      queueArn: Attributes?.QueueArn ?? '',
      handler,
      onError: (error) => crashes.push(error),
    });

    // Assess: every member's push arrives, each exactly once, and the queue and DLQ end empty.
    const delivered = async () => pushCounts(await relay.sns.published());
    await waitFor(async () => (await delivered()).size === MEMBERS, {
      timeoutMs: 30_000,
      what: `a push to each of the ${MEMBERS} members`,
    });
    await poller.idle();
    await holdsFor(
      async () => [...(await delivered()).values()].every((count) => count === 1) && (await delivered()).size === MEMBERS,
      {
        forMs: (VISIBILITY_SECONDS + 1) * 1000,
        what: 'exactly one push per member',
      },
    );
    const counts = await delivered();
    expect(new Set(counts.keys())).toEqual(new Set(members.arnOf.values()));
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await queueCounts(sqs, stack.queues.push.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueCounts(sqs, stack.queues.push.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
    // The crash happened as staged: one invocation died with more records than it had sent, and the
    // redelivered batch carried the three it had sent, which the ledger recognised.
    expect(record.crashes).toBe(1);
    expect(record.crashedBatchSize).toBeGreaterThan(SENDS_BEFORE_CRASH);
    expect(crashes.map((error) => (error as Error).message)).toEqual([`consumer crashed after ${SENDS_BEFORE_CRASH} sends`]);
    expect(record.alreadySent).toBe(SENDS_BEFORE_CRASH);
  });
});
