import { randomBytes, randomUUID } from 'node:crypto';
import { type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { Platform } from '../../functions/shared/ports/directory.ts';
import { type RunningEmulators, startEmulators } from '../../lib/local/emulators.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../lib/local/local-stack.ts';
import type { OutboxEntry } from '../../lib/local/outbox.ts';
import type { PublishedMessage } from '../../lib/local/sns-emulator.ts';
import { type SnsEmulatorControls, snsEmulatorClient } from '../../lib/local/sns-emulator-client.ts';
import { type SeedName, seed } from '../fixtures/seeds.ts';
import { TEST_CREDENTIALS } from './http.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from './ingest-budget.ts';
import { sqsClientFor } from './queues.ts';

// Helpers for the end-to-end delivery tests: each test file runs its own emulators
// (aws-ses-v2-local keeps one store per process) and its own local stack on them.

export { holdsFor, waitFor } from './polling.ts';
export { type QueueCounts, queueCounts } from './queues.ts';

export const ADMIN_TOKEN = 'delivery-admin-token-0123456789';

export interface DeliveryHarness {
  readonly stack: LocalStack;
  readonly emulators: RunningEmulators;
  /** The SNS emulator's controls: what it published, disabled endpoints, opt-outs, faults. */
  readonly sns: SnsEmulatorControls;
  readonly sqs: SQSClient;
  readonly api: DirectoryApi;
  stop(): Promise<void>;
}

/** Own emulators, and a local stack on them with a 1 s visibility timeout so retries show up within seconds. */
export const startDeliveryHarness = async (options: Partial<LocalStackOptions> = {}): Promise<DeliveryHarness> => {
  const emulators = await startEmulators();
  try {
    const stack = await startLocalStack({
      port: 0,
      emulators: emulators.endpoints,
      resourcePrefix: `delivery-${randomUUID().slice(0, 8)}`,
      visibilityTimeoutSeconds: 1,
      webhookCredentials: [TEST_CREDENTIALS],
      adminTokens: [ADMIN_TOKEN],
      ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
      ...options,
    });
    const sqs = sqsClientFor(emulators.endpoints.sqs);
    return {
      stack,
      emulators,
      sns: snsEmulatorClient(emulators.endpoints.sns),
      sqs,
      api: directoryApi(stack.directoryUrl),
      async stop() {
        sqs.destroy();
        await stack.stop();
        await emulators.stop();
      },
    };
  } catch (error) {
    await emulators.stop();
    throw error;
  }
};

export interface ApiAnswer {
  readonly status: number;
  readonly json: unknown;
}

export interface ListedDevice {
  readonly uid: string;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly token: string;
  readonly endpointArn: string;
  readonly enabled: boolean;
}

export interface DirectoryApi {
  registerDevice(uid: string, deviceId: string, platform: Platform, token: string): Promise<ListedDevice>;
  putContact(uid: string, contact: { phone?: string; email?: string }): Promise<void>;
  listDevices(uid: string): Promise<ListedDevice[]>;
}

/** The directory API as the app's backend calls it: plain `fetch`, Bearer admin token, JSON. */
export const directoryApi = (directoryUrl: string, token = ADMIN_TOKEN): DirectoryApi => {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await fetch(`${directoryUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  const expectOk = (answer: ApiAnswer, what: string): unknown => {
    if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return answer.json;
  };
  return {
    registerDevice: async (uid, deviceId, platform, deviceToken) =>
      expectOk(
        await call('PUT', `/${encodeURIComponent(uid)}/devices/${encodeURIComponent(deviceId)}`, { platform, token: deviceToken }),
        `PUT device ${deviceId}`,
      ) as ListedDevice,
    putContact: async (uid, contact) => {
      expectOk(await call('PUT', `/${encodeURIComponent(uid)}/contact`, contact), 'PUT contact');
    },
    listDevices: async (uid) =>
      (expectOk(await call('GET', `/${encodeURIComponent(uid)}/devices`), 'GET devices') as { devices: ListedDevice[] }).devices,
  };
};

/** A lowercase uid (CometChat lowercases uids) that no other test uses: idempotency keys include the uid. */
export const freshUid = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`.toLowerCase();

/** FCM registration tokens look like `<instance>:APA91b<base64url>`. */
export const fcmToken = (): string => `${randomBytes(8).toString('hex')}:APA91b${randomBytes(96).toString('base64url')}`;

/** APNs device tokens (regular and VoIP) are 32 bytes in hex. */
export const apnsToken = (): string => randomBytes(32).toString('hex');

/** A seed sample addressed to `uid` (push payloads carry no contact; SMS and email keep theirs unless removed). */
export const seedFor = (name: SeedName, uid: string): Record<string, any> => {
  const payload = seed(name);
  payload.data.to.uid = uid;
  return payload;
};

/** The SNS publishes to one of the given endpoints, oldest first. */
export const publishesTo = async (sns: SnsEmulatorControls, endpointArns: readonly string[]): Promise<PublishedMessage[]> => {
  const wanted = new Set(endpointArns);
  return (await sns.published()).filter((message) => message.targetArn !== undefined && wanted.has(message.targetArn));
};

/** The SMS publishes to `phoneNumber`, oldest first. */
export const smsTo = async (sns: SnsEmulatorControls, phoneNumber: string): Promise<PublishedMessage[]> =>
  (await sns.published()).filter((message) => message.kind === 'sms' && message.phoneNumber === phoneNumber);

/** `GET /_local/outbox`, as a developer reads it. */
export const fetchOutbox = async (stack: LocalStack): Promise<OutboxEntry[]> => {
  const response = await fetch(`${stack.url}/_local/outbox`);
  if (response.status !== 200) throw new Error(`GET /_local/outbox answered ${response.status}`);
  return (await response.json()) as OutboxEntry[];
};

/** Outbox entries matching `filter` (e.g. one channel and one recipient). */
export const outboxEntries = async (stack: LocalStack, filter: (entry: OutboxEntry) => boolean): Promise<OutboxEntry[]> =>
  (await fetchOutbox(stack)).filter(filter);

/** The parsed platform payload a push entry carries (`payload.message` of the outbox). */
export const pushMessageOf = (entry: OutboxEntry): Record<string, any> => (entry.payload as { message: Record<string, any> }).message;

/** Receives what is visible now, without deleting it, with every attribute (the consumer sees the same). */
export const receiveVisible = async (sqs: SQSClient, queueUrl: string, { max = 10, visibilityTimeout }: { max?: number; visibilityTimeout?: number } = {}): Promise<Message[]> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      ...(visibilityTimeout === undefined ? {} : { VisibilityTimeout: visibilityTimeout }),
    }),
  );
  return Messages;
};

/** A Lambda context for calling a consumer directly, with 30 s to run. */
export const lambdaContext = (): Context => {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'delivery-test-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:delivery-test-consumer',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/delivery-test-consumer',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};

/**
 * A push for `uid` (with an FCM device registered for it) put straight on the push DLQ, as five failed
 * receives would leave it; its correlation id is `dead-<uid>`, for the console's DLQ view and redrive.
 */
export const parkDeadPush = async (harness: DeliveryHarness, uid: string): Promise<void> => {
  await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
  const payload = seedFor('push-chat', uid);
  payload.data.notificationDetails.tag = `dead-${uid}`;
  await harness.sqs.send(
    new SendMessageCommand({
      QueueUrl: harness.stack.queues.push.deadLetterUrl,
      MessageBody: JSON.stringify(payload),
      MessageAttributes: { correlationId: { DataType: 'String', StringValue: `dead-${uid}` } },
    }),
  );
};
