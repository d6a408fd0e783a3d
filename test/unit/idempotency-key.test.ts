import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../functions/shared/idempotency-key.ts';
import { EmailPayloadSchema } from '../../functions/shared/schemas/email.ts';
import { PushPayloadSchema } from '../../functions/shared/schemas/push.ts';
import { SmsPayloadSchema } from '../../functions/shared/schemas/sms.ts';
import { seed } from '../fixtures/seeds.ts';

const pushKey = (mutate: (p: any) => void = () => {}) => {
  const payload = seed('push-chat');
  mutate(payload);
  return idempotencyKey('push', PushPayloadSchema.parse(payload));
};

describe('idempotencyKey', () => {
  it('is stable for the same push, whatever else is in the payload', () => {
    expect(pushKey()).toBe(pushKey((p) => (p.data.notificationDetails.custom = { other: true })));
  });

  it.each([
    ['an edit (same tag, new body)', (p: any) => (p.data.notificationDetails.body = 'Hello (edited)')],
    ['another recipient', (p: any) => (p.data.to.uid = 'cometchat-uid-3')],
    ['another app', (p: any) => (p.appId = 'app456')],
    ['another message', (p: any) => (p.data.notificationDetails.tag = '124')],
    ['a later sentAt', (p: any) => (p.data.notificationDetails.sentAt = '1741847499000')],
  ])('changes for %s', (_name, mutate) => {
    expect(pushKey(mutate)).not.toBe(pushKey());
  });

  it('distinguishes call actions of one session', () => {
    const call = (callAction: string) => {
      const payload = seed('push-call');
      payload.data.notificationDetails.callAction = callAction;
      return idempotencyKey('push', PushPayloadSchema.parse(payload));
    };
    expect(call('initiated')).not.toBe(call('cancelled'));
  });

  it('identifies SMS and email by message ids, and by content when there are no message objects', () => {
    const sms = SmsPayloadSchema.parse(seed('sms-one-on-one'));
    const email = EmailPayloadSchema.parse(seed('email-one-on-one'));
    expect(idempotencyKey('sms', sms)).toMatch(/^sms:[0-9a-f]{64}$/);
    expect(idempotencyKey('email', email)).toMatch(/^email:[0-9a-f]{64}$/);

    const withoutObjects = seed('sms-one-on-one');
    for (const message of withoutObjects.data.messages) delete message.messageObject;
    const changed = seed('sms-one-on-one');
    for (const message of changed.data.messages) delete message.messageObject;
    changed.data.messages[0].message = 'Something else';
    expect(idempotencyKey('sms', SmsPayloadSchema.parse(withoutObjects))).not.toBe(
      idempotencyKey('sms', SmsPayloadSchema.parse(changed)),
    );
  });

  it('never contains the text it identifies', () => {
    expect(pushKey()).not.toContain('Hello');
  });
});
