import { describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { UnavailableError } from '../../functions/shared/errors.ts';
import type { CredentialStore } from '../../functions/shared/ports/credential-store.ts';
import type { NotificationQueue, QueuedNotification } from '../../functions/shared/ports/notification-queue.ts';
import { apiEvent } from '../support/api-event.ts';
import { seed } from '../fixtures/seeds.ts';

// Unit tests of the ingest module with in-memory ports; the same paths run against
// the real SQS emulator in test/integration/ingest.test.ts.
const PAIR = { username: 'cometchatrelay', password: 'secret1' };
const AUTH = encodeBasicAuth(PAIR);

const recordingQueue = () => {
  const sent: QueuedNotification[] = [];
  const queue: NotificationQueue = {
    enqueue: async (notification) => {
      sent.push(notification);
      return { id: `msg-${sent.length}` };
    },
  };
  return { queue, sent };
};

const setup = (overrides: { credentials?: CredentialStore; queue?: NotificationQueue; appId?: string } = {}) => {
  const recording = recordingQueue();
  const handler = createIngestHandler({
    route: webhookRoute('push'),
    credentials: overrides.credentials ?? { accepted: async () => [PAIR] },
    queue: overrides.queue ?? recording.queue,
    appId: overrides.appId,
    maxBodyBytes: 4096,
  });
  return { handler, sent: recording.sent };
};

const post = (body: string, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  apiEvent({ body, isBase64Encoded, headers: { authorization: AUTH, 'content-type': 'application/json', ...headers } });

const pushBody = () => JSON.stringify(seed('push-chat'));

describe('createIngestHandler', () => {
  it('decodes a base64 body as API Gateway may deliver it', async () => {
    const { handler, sent } = setup();
    const result = await handler(post(Buffer.from(pushBody()).toString('base64'), {}, true));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(sent[0]?.body ?? '{}').data.to.uid).toBe('cometchat-uid-2');
  });

  it('refuses credentials before looking at the body', async () => {
    const { handler, sent } = setup();
    const result = await handler(post('not json at all', { authorization: encodeBasicAuth({ ...PAIR, password: 'nope' }) }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).error).toBe('unauthorized');
    expect(sent).toHaveLength(0);
  });

  it('looks up the secret again after a miss, so a freshly rotated pair is accepted', async () => {
    const rotated = { username: 'rotated', password: 'secret2' };
    const accepted = vi
      .fn<CredentialStore['accepted']>()
      .mockResolvedValueOnce([PAIR])
      .mockResolvedValueOnce([PAIR, rotated]);
    const { handler } = setup({ credentials: { accepted } });
    const result = await handler(post(pushBody(), { authorization: encodeBasicAuth(rotated) }));
    expect(result.statusCode).toBe(200);
    expect(accepted).toHaveBeenLastCalledWith({ refresh: true });
  });

  it('answers 503 when the secret cannot be read, and enqueues nothing', async () => {
    const { handler, sent } = setup({ credentials: { accepted: async () => Promise.reject(new Error('timeout')) } });
    const result = await handler(post(pushBody()));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'unavailable' });
    expect(sent).toHaveLength(0);
  });

  it('answers 503 when the queue refuses', async () => {
    const { handler } = setup({ queue: { enqueue: () => Promise.reject(new UnavailableError('down')) } });
    const result = await handler(post(pushBody()));
    expect(result.statusCode).toBe(503);
  });

  it('answers 503, not a stack trace, when something unexpected throws', async () => {
    const { handler } = setup({ queue: { enqueue: () => Promise.reject(new TypeError('bug')) } });
    const result = await handler(post(pushBody()));
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('TypeError');
  });

  it('refuses base64 bodies that are not UTF-8 as invalid_json', async () => {
    const { handler } = setup();
    const result = await handler(post(Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), {}, true));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('invalid_json');
  });

  it('refuses a body nested too deeply to serialise, as invalid_payload', async () => {
    // Prepare: an unknown extra field nested 100 000 levels deep (JSON.parse copes, JSON.stringify would overflow).
    const depth = 100_000;
    const body = pushBody().replace(/}$/, `,"extra":${'{"d":'.repeat(depth)}{}${'}'.repeat(depth)}}`);
    const recording = recordingQueue();
    const handler = createIngestHandler({
      route: webhookRoute('push'),
      credentials: { accepted: async () => [PAIR] },
      queue: recording.queue,
      maxBodyBytes: 10 * 1024 * 1024,
    });

    // Act
    const result = await handler(post(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('invalid_payload');
    expect(recording.sent).toHaveLength(0);
  });

  it('labels the message with channel, trigger, idempotency key and correlation id', async () => {
    const { handler, sent } = setup();
    await handler(post(pushBody()));
    expect(sent[0]?.attributes).toEqual({
      channel: 'push',
      trigger: 'push-notification-payload-generated',
      idempotencyKey: expect.stringMatching(/^push:[0-9a-f]{64}$/),
      correlationId: '123',
    });
  });
});
