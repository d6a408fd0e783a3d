import { describe, expect, it } from 'vitest';
import { eventsRoute } from '../../functions/events/events-route.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import type { NotificationQueue, QueuedNotification } from '../../functions/shared/ports/notification-queue.ts';
import { apiEvent } from '../support/api-event.ts';
import { EVENT_FIXTURES, eventFixture } from '../fixtures/events/events.ts';
import { seed } from '../fixtures/seeds.ts';

// The events route inside the ingest handler, with an in-memory queue.
const PAIR = { username: 'cometchatrelay', password: 'secret1' };

const setup = (maxBodyBytes = 64 * 1024) => {
  const sent: QueuedNotification[] = [];
  const queue: NotificationQueue = {
    enqueue: async (notification) => {
      sent.push(notification);
      return { id: `msg-${sent.length}` };
    },
  };
  const handler = createIngestHandler({ route: eventsRoute, credentials: { accepted: async () => [PAIR] }, queue, maxBodyBytes });
  return { handler, sent };
};

const post = (body: unknown) =>
  apiEvent({
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: encodeBasicAuth(PAIR), 'content-type': 'application/json' },
  });

describe('eventsRoute in the ingest handler', () => {
  it.each(EVENT_FIXTURES)('enqueues %s with its trigger, key and correlation id', async (name) => {
    // Prepare
    const { handler, sent } = setup();
    const payload = eventFixture(name);

    // Act
    const result = await handler(post(payload));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'accepted', id: 'msg-1' });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual(payload);
    expect(sent[0]?.attributes).toMatchObject({
      channel: 'events',
      trigger: payload.trigger,
      idempotencyKey: expect.stringMatching(/^events:[0-9a-f]{64}$/),
    });
  });

  it('accepts any webhook id (events do not come from the custom provider)', async () => {
    const { handler } = setup();
    expect((await handler(post({ ...eventFixture('message-sent'), webhook: 'anything' }))).statusCode).toBe(200);
  });

  it('gives a CometChat retry the same idempotency key', async () => {
    const { handler, sent } = setup();
    await handler(post(eventFixture('message-edited')));
    await handler(post(eventFixture('message-edited')));
    expect(sent).toHaveLength(2);
    expect(sent[0]?.attributes.idempotencyKey).toBe(sent[1]?.attributes.idempotencyKey);
    expect(sent[0]?.attributes.correlationId).toBe('8130');
  });

  it.each([
    ['before_message', { ...eventFixture('message-sent'), trigger: 'before_message' }],
    ['a push payload', seed('push-chat')],
  ])('refuses %s with 400 wrong_trigger, enqueuing nothing', async (_, payload) => {
    const { handler, sent } = setup();
    const result = await handler(post(payload));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('wrong_trigger');
    expect(sent).toEqual([]);
  });

  it('refuses a message event without a message id with 400 invalid_payload', async () => {
    const { handler } = setup();
    const payload = eventFixture('message-sent');
    delete payload.data.message.id;
    const result = await handler(post(payload));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).issues).toEqual([expect.objectContaining({ path: 'data.message.id' })]);
  });

  it('refuses data nested too deeply to identify, as invalid_payload', async () => {
    // Prepare: a non-message event whose data nests 100 000 levels (its whole data is hashed).
    const { handler, sent } = setup(10 * 1024 * 1024);
    const depth = 100_000;
    const body = `{"trigger":"custom_event","appId":"a1","webhook":"w1","data":${'{"d":'.repeat(depth)}{}${'}'.repeat(depth)}}`;

    // Act
    const result = await handler(post(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('invalid_payload');
    expect(sent).toEqual([]);
  });
});
