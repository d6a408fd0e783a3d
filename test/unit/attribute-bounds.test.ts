import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { ATTRIBUTE_BOUNDS, attributeBoundIssues } from '../../functions/shared/attribute-bounds.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import type { QueuedNotification } from '../../functions/shared/ports/notification-queue.ts';
import { seed } from '../fixtures/seeds.ts';
import { apiEvent } from '../support/api-event.ts';

const PAIR = { username: 'cometchatrelay', password: 'secret1' };

const ingest = (channel: Channel) => {
  const sent: QueuedNotification[] = [];
  const handler = createIngestHandler({
    route: webhookRoute(channel),
    credentials: { accepted: async () => [PAIR] },
    queue: {
      enqueue: async (notification) => {
        sent.push(notification);
        return { id: `msg-${sent.length}` };
      },
    },
    maxBodyBytes: 1_000_000,
  });
  const post = (payload: unknown) =>
    handler(
      apiEvent({
        body: JSON.stringify(payload),
        headers: { authorization: encodeBasicAuth(PAIR), 'content-type': 'application/json' },
      }),
    );
  return { post, sent };
};

describe('attribute bounds', () => {
  it('documents a length and a character set for every bounded path of every channel', () => {
    for (const channel of CHANNELS) {
      expect(ATTRIBUTE_BOUNDS[channel].length).toBeGreaterThan(0);
      for (const bound of ATTRIBUTE_BOUNDS[channel]) expect(bound.maxLength).toBeGreaterThan(0);
    }
  });

  it('pass the seed samples as CometChat sends them', () => {
    expect(attributeBoundIssues('push', seed('push-chat'))).toEqual([]);
    expect(attributeBoundIssues('sms', seed('sms-one-on-one'))).toEqual([]);
    expect(attributeBoundIssues('email', seed('email-one-on-one'))).toEqual([]);
  });

  it.each([
    [
      'a control character in the tag',
      (payload: Record<string, any>) => (payload.data.notificationDetails.tag = 'tag\u0001one'),
      'data.notificationDetails.tag',
    ],
    [
      'a 200 KB tag',
      (payload: Record<string, any>) => (payload.data.notificationDetails.tag = 'x'.repeat(200_000)),
      'data.notificationDetails.tag',
    ],
    ['a lone surrogate in the uid', (payload: Record<string, any>) => (payload.data.to.uid = 'user-\uD800'), 'data.to.uid'],
    ['a space in the app id', (payload: Record<string, any>) => (payload.appId = 'app one'), 'appId'],
  ])('answer 400 invalid_payload naming the path for %s, and enqueue nothing', async (_, spoil, path) => {
    // Prepare
    const { post, sent } = ingest('push');
    const payload = seed('push-chat');
    spoil(payload);

    // Act
    const answer = await post(payload);

    // Assess
    expect(answer.statusCode).toBe(400);
    const body = JSON.parse(answer.body) as { error: string; message: string };
    expect(body.error).toBe('invalid_payload');
    expect(body.message).toContain(path);
    expect(sent).toHaveLength(0);
  });

  it('name the message of an SMS digest whose id is out of bounds', async () => {
    const { post } = ingest('sms');
    const payload = seed('sms-one-on-one');
    payload.data.messages[0].messageObject = { id: 'x'.repeat(129) };

    const answer = await post(payload);

    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).message).toContain(
      'data.messages.0.messageObject.id: is 129 characters long; at most 128 are accepted',
    );
  });

  it('leave the text for people unbounded: a 200,000-character push body is accepted', async () => {
    const { post, sent } = ingest('push');
    const payload = seed('push-chat');
    payload.data.notificationDetails.body = 'b'.repeat(200_000);

    expect((await post(payload)).statusCode).toBe(200);
    expect(sent).toHaveLength(1);
  });
});
