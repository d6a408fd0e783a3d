import { describe, expect, it } from 'vitest';
import { eventIdempotencyKey } from '../../functions/events/event-identity.ts';
import { EventPayloadSchema } from '../../functions/events/event-schema.ts';
import { MAX_EVENT_BYTES, eventAttributesOf, normaliseEvent } from '../../functions/events/normalise-event.ts';
import { type EventFixture, eventFixture } from '../fixtures/events/events.ts';

const normalised = (name: EventFixture, receivedAt?: string) => {
  const payload = EventPayloadSchema.parse(eventFixture(name));
  return normaliseEvent(payload, receivedAt ? { receivedAt } : {});
};

const EVENT_ID = expect.stringMatching(/^events:[0-9a-f]{64}$/);

describe('normaliseEvent gives every envelope one shape', () => {
  it('legacy after_message: data is the message', () => {
    expect(normalised('after-message', '2024-06-17T08:00:35.000Z')).toEqual({
      version: 1,
      eventId: EVENT_ID,
      trigger: 'after_message',
      appId: '25089d8d5a1c1b9e',
      webhook: 'legacy-events',
      receivedAt: '2024-06-17T08:00:35.000Z',
      message: {
        id: '8127',
        conversationId: 'cometchat-uid-1_user_cometchat-uid-2',
        sender: 'cometchat-uid-1',
        receiver: 'cometchat-uid-2',
        receiverType: 'user',
        category: 'message',
        type: 'text',
        text: 'Hey George, are we still on for lunch tomorrow?',
        sentAt: 1718611234,
        updatedAt: 1718611234,
        metadata: {
          '@injected': { webhooks: { 'moderation-webhook': { flags: { contains_link: false }, policy_version: 1 } } },
        },
      },
    });
  });

  it('message_sent: the message is data.message; media keeps its attachments', () => {
    expect(normalised('message-sent')).toEqual({
      version: 1,
      eventId: EVENT_ID,
      trigger: 'message_sent',
      appId: '25089d8d5a1c1b9e',
      region: 'us',
      webhook: 'relay-events',
      message: {
        id: '9001',
        conversationId: 'group_cometchat-guid-1',
        sender: 'cometchat-uid-3',
        receiver: 'cometchat-guid-1',
        receiverType: 'group',
        category: 'message',
        type: 'image',
        sentAt: 1718612000,
        updatedAt: 1718612000,
        attachments: [
          {
            url: 'https://data-us.cometchat.io/25089d8d5a1c1b9e/media/1718612000_hike.jpg',
            name: 'hike.jpg',
            mimeType: 'image/jpeg',
            extension: 'jpg',
            size: 193220,
          },
        ],
      },
    });
  });

  it('message_edited: an action message naming the edited message as target', () => {
    expect(normalised('message-edited').message).toEqual({
      id: '8130',
      conversationId: 'cometchat-uid-1_user_cometchat-uid-2',
      sender: 'cometchat-uid-1',
      receiver: 'cometchat-uid-2',
      receiverType: 'user',
      category: 'action',
      type: 'message',
      sentAt: 1718611300,
      updatedAt: 1718611300,
      action: 'edited',
      target: '8127',
    });
  });

  it('message_deleted: action deleted, target the deleted message', () => {
    const { message, data } = normalised('message-deleted');
    expect(message).toMatchObject({ id: '8131', category: 'action', action: 'deleted', target: '8127' });
    expect(message?.text).toBeUndefined();
    expect(data).toBeUndefined();
  });

  it('message_reaction_added: no message, the data as CometChat sent it', () => {
    expect(normalised('message-reaction-added')).toEqual({
      version: 1,
      eventId: EVENT_ID,
      trigger: 'message_reaction_added',
      appId: '25089d8d5a1c1b9e',
      region: 'us',
      webhook: 'relay-events',
      data: eventFixture('message-reaction-added').data,
    });
  });

  it('a non-message trigger (group_member_joined): the data as sent', () => {
    const event = normalised('group-member-joined');
    expect(event.message).toBeUndefined();
    expect(event.data).toEqual(eventFixture('group-member-joined').data);
  });

  it('an unknown trigger with a message: the message normalised, the rest of data kept', () => {
    const payload = EventPayloadSchema.parse({
      ...eventFixture('message-sent'),
      trigger: 'message_flagged',
      data: { message: eventFixture('message-sent').data.message, moderation: { category: 'spam' } },
    });
    const event = normaliseEvent(payload);
    expect(event.message?.id).toBe('9001');
    expect(event.data).toEqual({ moderation: { category: 'spam' } });
  });

  it('turns epoch strings into numbers', () => {
    const payload = eventFixture('after-message');
    payload.data.sentAt = '1718611234';
    expect(normaliseEvent(EventPayloadSchema.parse(payload)).message?.sentAt).toBe(1718611234);
  });

  it('takes the sender from the sender entity when "sender" is absent', () => {
    const payload = eventFixture('after-message');
    delete payload.data.sender;
    expect(normaliseEvent(EventPayloadSchema.parse(payload)).message?.sender).toBe('cometchat-uid-1');
  });

  it('carries the same eventId as the idempotency key ingest enqueues', () => {
    const payload = EventPayloadSchema.parse(eventFixture('message-sent'));
    expect(normaliseEvent(payload).eventId).toBe(eventIdempotencyKey(payload));
  });

  it('leaves out the bulky parts of an event too large for SNS, and says so', () => {
    // Prepare
    const payload = eventFixture('after-message');
    payload.data.data.text = 'x'.repeat(MAX_EVENT_BYTES);

    // Act
    const event = normaliseEvent(EventPayloadSchema.parse(payload));

    // Assess
    expect(event.truncated).toBe(true);
    expect(event.message).toMatchObject({ id: '8127', sender: 'cometchat-uid-1', type: 'text' });
    expect(event.message?.text).toBeUndefined();
    expect(event.message?.metadata).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(MAX_EVENT_BYTES);
  });
});

describe('eventAttributesOf', () => {
  it.each([
    ['after-message', { trigger: 'after_message', receiverType: 'user', category: 'message', type: 'text' }],
    ['message-sent', { trigger: 'message_sent', receiverType: 'group', category: 'message', type: 'image' }],
    ['message-edited', { trigger: 'message_edited', receiverType: 'user', category: 'action', type: 'message' }],
    ['message-reaction-added', { trigger: 'message_reaction_added' }],
    ['group-member-joined', { trigger: 'group_member_joined' }],
  ] as const)('%s → %j', (name, attributes) => {
    expect(eventAttributesOf(normalised(name))).toEqual(attributes);
  });
});
