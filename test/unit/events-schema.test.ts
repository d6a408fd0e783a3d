import { describe, expect, it } from 'vitest';
import { EventPayloadSchema, isEventTrigger } from '../../functions/events/event-schema.ts';
import { EVENT_FIXTURES, eventFixture } from '../fixtures/events/events.ts';

const failingPaths = (payload: unknown) => {
  const result = EventPayloadSchema.safeParse(payload);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('EventPayloadSchema', () => {
  it.each(EVENT_FIXTURES)('accepts %s', (name) => {
    // Act
    const result = EventPayloadSchema.safeParse(eventFixture(name));

    // Assess
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('keeps fields it does not know (CometChat adds fields over time)', () => {
    const payload: Record<string, any> = { ...eventFixture('message-sent'), createdAt: 1718612000 };
    payload.data.message.extra = { quotedMessageId: '77' };
    const parsed = EventPayloadSchema.parse(payload) as Record<string, any>;
    expect(parsed.createdAt).toBe(1718612000);
    expect(parsed.data.message.extra).toEqual({ quotedMessageId: '77' });
  });

  it('accepts an unknown trigger and passes its data on untouched', () => {
    const payload = { trigger: 'call_recording_generated', data: { call: { sessionId: 'v1.us.abc' } }, appId: 'a1', webhook: 'w1' };
    expect(EventPayloadSchema.parse(payload)).toEqual(payload);
  });

  it('accepts an unknown trigger whose message does not look like a message', () => {
    const payload = { trigger: 'message_moderated', data: { message: { id: 5 } }, appId: 'a1', webhook: 'w1' };
    expect(failingPaths(payload)).toEqual([]);
  });

  it.each(['before_message', 'push-notification-payload-generated', 'sms-notification-payload-generated', 'email-notification-payload-generated'])(
    'refuses %s, which belongs to another route',
    (trigger) => {
      expect(isEventTrigger(trigger)).toBe(false);
      expect(failingPaths({ ...eventFixture('message-sent'), trigger })).toContain('trigger');
    },
  );

  it.each([undefined, '', 42])('refuses the trigger %j', (trigger) => {
    expect(isEventTrigger(trigger)).toBe(false);
  });

  it('reports the failing paths of the legacy envelope for after_message', () => {
    const payload = eventFixture('after-message');
    delete payload.data.id;
    delete payload.webhook;
    expect(failingPaths(payload)).toEqual(expect.arrayContaining(['data.id', 'webhook']));
  });

  it.each(['message_sent', 'message_edited', 'message_deleted'] as const)(
    'requires a valid data.message for %s (its id is the idempotency key)',
    (trigger) => {
      const payload: Record<string, any> = { ...eventFixture('message-sent'), trigger };
      delete payload.data.message.id;
      expect(failingPaths(payload)).toEqual(['data.message.id']);
      expect(failingPaths({ ...payload, data: {} })).toContain('data.message');
    },
  );

  it('requires appId, webhook and an object data on the newer envelope', () => {
    expect(failingPaths({ trigger: 'group_created', data: 'x' })).toEqual(expect.arrayContaining(['data', 'appId', 'webhook']));
  });

  it('refuses what is not an object', () => {
    expect(failingPaths([1, 2])).toEqual(['']);
  });
});
