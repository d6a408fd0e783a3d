import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHANNELS, CHANNEL_TRIGGERS, type Channel } from '../../functions/shared/channels.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { startEmulators } from '../../lib/local/emulators.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { startLocalServer } from '../../lib/local/local-server.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { SEED_NAMES, SEED_SAMPLES, seed } from '../fixtures/seeds.ts';
import { ROTATED_CREDENTIALS, TEST_CREDENTIALS, postWebhook } from '../support/http.ts';
import { attributesOf, drainQueue, sqsClientFor } from '../support/queues.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../support/ingest-budget.ts';

const emulators = inject('emulators');
const sqs = sqsClientFor(emulators.sqs);
let stack: LocalStack;

const drainAll = async () =>
  Object.fromEntries(
    await Promise.all(CHANNELS.map(async (channel) => [channel, await drainQueue(sqs, stack.queues[channel].url)] as const)),
  ) as Record<Channel, Awaited<ReturnType<typeof drainQueue>>>;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: `ingest-${randomUUID().slice(0, 8)}`,
    consumers: false,
    webhookCredentials: [TEST_CREDENTIALS, ROTATED_CREDENTIALS],
    maxBodyBytes: 64 * 1024,
    ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
  });
});

afterEach(async () => {
  await drainAll();
});

afterAll(async () => {
  await stack.stop();
  sqs.destroy();
});

describe('a seed sample posted to its route', () => {
  it.each(SEED_NAMES)('%s is answered 200 and leaves exactly one message in its own queue', async (name) => {
    // Prepare
    const channel = SEED_SAMPLES[name];
    const payload = seed(name);

    // Act
    const response = await postWebhook(stack.webhookUrls[channel], payload);

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'accepted', id: expect.any(String) });
    const queued = await drainAll();
    expect(queued[channel]).toHaveLength(1);
    for (const other of CHANNELS.filter((c) => c !== channel)) expect(queued[other]).toEqual([]);
    const [message] = queued[channel];
    expect(message?.MessageId).toBe(response.json.id);
    expect(JSON.parse(message?.Body ?? '')).toEqual(payload);
    expect(attributesOf(message!)).toEqual({
      channel,
      trigger: CHANNEL_TRIGGERS[channel],
      idempotencyKey: expect.stringMatching(new RegExp(`^${channel}:[0-9a-f]{64}$`)),
      correlationId: expect.any(String),
    });
  });

  it('accepts the second (rotation) credential pair', async () => {
    const response = await postWebhook(stack.webhookUrls.push, seed('push-chat'), {
      authorization: encodeBasicAuth(ROTATED_CREDENTIALS),
    });
    expect(response.status).toBe(200);
    expect((await drainAll()).push).toHaveLength(1);
  });

  it('gives a repeated payload the same idempotency key', async () => {
    await postWebhook(stack.webhookUrls.sms, seed('sms-group'));
    await postWebhook(stack.webhookUrls.sms, seed('sms-group'));
    const { sms } = await drainAll();
    expect(sms).toHaveLength(2);
    expect(attributesOf(sms[0]!).idempotencyKey).toBe(attributesOf(sms[1]!).idempotencyKey);
  });
});

describe('every error row of the HTTP contract answers its status and enqueues nothing', () => {
  const push = () => seed('push-chat');
  const oversized = () => {
    const payload = push();
    payload.data.notificationDetails.custom = { padding: 'x'.repeat(70 * 1024) };
    return payload;
  };
  const rows: Array<{
    name: string;
    channel?: Channel;
    payload?: () => unknown;
    options?: Parameters<typeof postWebhook>[2];
    status: number;
    error: string;
  }> = [
    { name: 'missing credentials', options: { authorization: null }, status: 401, error: 'unauthorized' },
    {
      name: 'wrong password',
      options: { authorization: encodeBasicAuth({ ...TEST_CREDENTIALS, password: 'wrong' }) },
      status: 401,
      error: 'unauthorized',
    },
    { name: 'malformed Basic header', options: { authorization: 'Basic %%%' }, status: 401, error: 'unauthorized' },
    { name: 'Bearer instead of Basic', options: { authorization: 'Bearer abc' }, status: 401, error: 'unauthorized' },
    { name: 'body not JSON', options: { body: '{"trigger":' }, status: 400, error: 'invalid_json' },
    { name: 'empty body', options: { body: '' }, status: 400, error: 'invalid_json' },
    { name: 'JSON array', options: { body: '[1,2]' }, status: 400, error: 'invalid_payload' },
    {
      name: 'schema fails (no recipient uid)',
      payload: () => {
        const payload = push();
        delete payload.data.to.uid;
        return payload;
      },
      status: 400,
      error: 'invalid_payload',
    },
    { name: 'trigger of another route', channel: 'sms', status: 400, error: 'wrong_trigger' },
    { name: 'no trigger', payload: () => ({ ...push(), trigger: undefined }), status: 400, error: 'wrong_trigger' },
    { name: 'webhook not custom', payload: () => ({ ...push(), webhook: 'webhook-1' }), status: 400, error: 'wrong_webhook' },
    { name: 'body over the limit', payload: oversized, status: 413, error: 'payload_too_large' },
    { name: 'text/plain body', options: { contentType: 'text/plain' }, status: 415, error: 'unsupported_media_type' },
    { name: 'no content type', options: { contentType: null }, status: 415, error: 'unsupported_media_type' },
    { name: 'form body', options: { contentType: 'application/x-www-form-urlencoded' }, status: 415, error: 'unsupported_media_type' },
  ];

  it.each(rows)('$name → $status $error', async ({ channel = 'push', payload = push, options, status, error }) => {
    // Act
    const response = await postWebhook(stack.webhookUrls[channel], payload(), options);

    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.json).toEqual(expect.objectContaining({ error, message: expect.any(String) }));
    if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Basic realm="cometchat-relay"');
    const queued = await drainAll();
    for (const c of CHANNELS) expect(queued[c]).toEqual([]);
  });

  it('lists the failing paths of an invalid payload', async () => {
    const payload = push();
    delete payload.data.notificationDetails.title;
    payload.data.notificationDetails.type = 'fax';
    const response = await postWebhook(stack.webhookUrls.push, payload);
    expect(response.status).toBe(400);
    expect(response.json.issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['data.notificationDetails.title', 'data.notificationDetails.type']),
    );
  });

  it('answers 404 and 405 as JSON for unknown routes and methods', async () => {
    const notFound = await postWebhook(`${stack.url}/cometchat/fax`, push());
    expect(notFound.status).toBe(404);
    expect(notFound.json.error).toBe('not_found');
    const wrongMethod = await fetch(stack.webhookUrls.push, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(((await wrongMethod.json()) as { error: string }).error).toBe('method_not_allowed');
  });
});

describe('a configured CometChat app id', () => {
  let pinned: LocalStack;
  beforeAll(async () => {
    pinned = await startLocalStack({
      port: 0,
      emulators,
      resourcePrefix: `app-${randomUUID().slice(0, 8)}`,
      consumers: false,
      webhookCredentials: [TEST_CREDENTIALS],
      appId: 'app123',
      ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
    });
  });
  afterAll(() => pinned.stop());

  it('accepts its own app and refuses another with 403 wrong_app, enqueuing nothing', async () => {
    const own = await postWebhook(pinned.webhookUrls.email, seed('email-group'));
    const other = await postWebhook(pinned.webhookUrls.email, { ...seed('email-group'), appId: 'someone-else' });
    expect(own.status).toBe(200);
    expect(other.status).toBe(403);
    expect(other.json.error).toBe('wrong_app');
    const queued = await drainQueue(sqs, pinned.queues.email.url);
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0]?.Body ?? '{}').appId).toBe('app123');
  });
});

// How soon each of these answers is the deployed budget's, proven without a clock race in ingest-budget.test.ts.
describe('when the queue cannot be written', () => {
  it('answers 503 once the SQS emulator is stopped, and nothing is accepted', async () => {
    // Prepare: a relay with its own emulators, so stopping SQS does not disturb other tests.
    const own = await startEmulators();
    const relay = await startLocalStack({ port: 0, emulators: own.endpoints, webhookCredentials: [TEST_CREDENTIALS] });
    try {
      expect((await postWebhook(relay.webhookUrls.push, seed('push-chat'))).status).toBe(200);
      await own.stopSqs();

      // Act
      const response = await postWebhook(relay.webhookUrls.push, seed('push-chat'));

      // Assess
      expect(response.status).toBe(503);
      expect(response.json.error).toBe('unavailable');
    } finally {
      await relay.stop();
      await own.stop();
    }
  });

  it('answers 503 when SQS accepts connections but never answers', async () => {
    // Prepare: the real SQS client pointed at a socket that swallows every request.
    const blackHole: Server = createServer(() => {});
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    const client = createIngestSqsClient(localClientConfig(endpoint));
    const server = await startLocalServer({
      lambdaRoutes: [
        {
          method: 'POST',
          path: '/cometchat/push',
          handler: createIngestHandler({
            route: webhookRoute('push'),
            credentials: staticCredentialStore([TEST_CREDENTIALS]),
            queue: sqsNotificationQueue({ client, queueUrl: `${endpoint}/000000000000/hung` }),
            maxBodyBytes: 256 * 1024,
          }),
        },
      ],
    });
    try {
      // Act
      const response = await postWebhook(`${server.url}/cometchat/push`, seed('push-chat'));

      // Assess
      expect(response.status).toBe(503);
      expect(response.json.error).toBe('unavailable');
    } finally {
      await server.close();
      client.destroy();
      blackHole.close();
    }
  });
});
