import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  eventCorrelationIdOf,
  eventIdempotencyKey,
  eventMessageIdOf,
} from '../../functions/events/event-identity.ts';
import { type EventPayload, EventPayloadSchema } from '../../functions/events/event-schema.ts';
import { EVENT_FIXTURES, type EventFixture, eventFixture } from '../fixtures/events/events.ts';

const parsed = (payload: unknown): EventPayload => EventPayloadSchema.parse(payload);
const keyOf = (payload: unknown) => eventIdempotencyKey(parsed(payload));

describe('eventIdempotencyKey', () => {
  it.each(EVENT_FIXTURES)('is the same for a CometChat retry of %s', (name) => {
    expect(keyOf(eventFixture(name))).toBe(keyOf(eventFixture(name)));
    expect(keyOf(eventFixture(name))).toMatch(/^events:[0-9a-f]{64}$/);
  });

  it('follows CometChat\'s documented key: webhook, trigger and message id, not the rest of the message', () => {
    const retry = eventFixture('message-sent');
    retry.data.message.updatedAt = 1718612999;
    retry.data.message.data.entities.sender.entity.status = 'offline';
    expect(keyOf(retry)).toBe(keyOf(eventFixture('message-sent')));
  });

  it.each([
    ['webhook', (p: Record<string, any>) => ({ ...p, webhook: 'other-webhook' })],
    ['trigger', (p: Record<string, any>) => ({ ...p, trigger: 'user_mentioned' })],
    ['message id', (p: Record<string, any>) => ({ ...p, data: { message: { ...p.data.message, id: '9002' } } })],
    ['app', (p: Record<string, any>) => ({ ...p, appId: 'another-app' })],
  ] as const)('differs when the %s differs', (_, change) => {
    const original = eventFixture('message-sent');
    expect(keyOf(change(eventFixture('message-sent')))).not.toBe(keyOf(original));
  });

  it('treats a numeric and a string message id alike', () => {
    const numeric = eventFixture('message-sent');
    numeric.data.message.id = 9001;
    expect(keyOf(numeric)).toBe(keyOf(eventFixture('message-sent')));
  });

  it('identifies an event without a message by its whole data, whatever the key order', () => {
    // Prepare
    const original = eventFixture('message-reaction-added');
    const reordered = { ...original, data: { reaction: Object.fromEntries(Object.entries(original.data.reaction).reverse()) } };
    const otherReaction = eventFixture('message-reaction-added');
    otherReaction.data.reaction.reaction = '👍';

    // Assess
    expect(keyOf(reordered)).toBe(keyOf(original));
    expect(keyOf(otherReaction)).not.toBe(keyOf(original));
  });

  it('gives the legacy and the newer event of one message different keys (they are different subscriptions)', () => {
    const legacy = eventFixture('after-message');
    const newer: Record<string, any> = { ...eventFixture('message-sent'), webhook: legacy.webhook };
    newer.data.message.id = legacy.data.id;
    expect(keyOf(legacy)).not.toBe(keyOf(newer));
  });
});

describe('message and correlation ids', () => {
  it.each([
    ['after-message', '8127', '8127'],
    ['message-sent', '9001', '9001'],
    ['message-edited', '8130', '8130'],
    ['message-reaction-added', undefined, '8127'],
    ['group-member-joined', undefined, undefined],
  ] as const)('%s: message id %s, correlation id %s', (name: EventFixture, messageId, correlationId) => {
    const payload = parsed(eventFixture(name));
    expect(eventMessageIdOf(payload)).toBe(messageId);
    expect(eventCorrelationIdOf(payload)).toBe(correlationId);
  });

  it('correlates a receipt with the message it is about', () => {
    const receipt = parsed({
      trigger: 'message_read_receipt',
      data: { receiver: 'u1', receiverType: 'user', type: 'receipts', body: { action: 'read', messageId: '57' } },
      appId: 'a1',
      webhook: 'w1',
    });
    expect(eventCorrelationIdOf(receipt)).toBe('57');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps arrays in order', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[3,{"c":2,"d":1}]}');
  });

  it('reads back as the same value', () => {
    const value = { z: 'ü "quoted"', a: [1.5, true, { y: {}, x: [] }] };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
