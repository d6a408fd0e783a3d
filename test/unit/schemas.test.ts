import { describe, expect, it } from 'vitest';
import { EmailPayloadSchema } from '../../functions/shared/schemas/email.ts';
import { PushPayloadSchema } from '../../functions/shared/schemas/push.ts';
import { SmsPayloadSchema } from '../../functions/shared/schemas/sms.ts';
import { SEED_NAMES, SEED_SAMPLES, type SeedName, seed } from '../fixtures/seeds.ts';

const SCHEMAS = { push: PushPayloadSchema, sms: SmsPayloadSchema, email: EmailPayloadSchema } as const;

const failingPaths = (schema: (typeof SCHEMAS)[keyof typeof SCHEMAS], payload: unknown): string[] => {
  const result = schema.safeParse(payload);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('seed samples', () => {
  it.each(SEED_NAMES)('%s passes its schema', (name) => {
    // Act
    const result = SCHEMAS[SEED_SAMPLES[name]].safeParse(seed(name));

    // Assess
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(SEED_NAMES)('%s keeps unknown extra fields', (name) => {
    // Prepare
    const payload = seed(name);
    payload.futureField = { added: 'by CometChat later' };
    payload.data.alsoNew = 1;

    // Act
    const parsed = SCHEMAS[SEED_SAMPLES[name]].parse(payload) as Record<string, any>;

    // Assess
    expect(parsed.futureField).toEqual({ added: 'by CometChat later' });
    expect(parsed.data.alsoNew).toBe(1);
  });
});

describe('push schema rejects what cannot be delivered', () => {
  it.each([
    ['no recipient uid', (p: any) => delete p.data.to.uid, 'data.to.uid'],
    ['empty recipient uid', (p: any) => (p.data.to.uid = '  '), 'data.to.uid'],
    ['no title', (p: any) => delete p.data.notificationDetails.title, 'data.notificationDetails.title'],
    ['no body', (p: any) => delete p.data.notificationDetails.body, 'data.notificationDetails.body'],
    [
      'title and body both empty',
      (p: any) => Object.assign(p.data.notificationDetails, { title: '', body: ' ' }),
      'data.notificationDetails.title',
    ],
    ['unknown type', (p: any) => (p.data.notificationDetails.type = 'sms'), 'data.notificationDetails.type'],
    ['receiverType not user or group', (p: any) => (p.data.notificationDetails.receiverType = 'channel'), 'data.notificationDetails.receiverType'],
    ['sentAt not an epoch', (p: any) => (p.data.notificationDetails.sentAt = 'yesterday'), 'data.notificationDetails.sentAt'],
    ['custom not an object', (p: any) => (p.data.notificationDetails.custom = 'x'), 'data.notificationDetails.custom'],
    ['no appId', (p: any) => delete p.appId, 'appId'],
    ['no notificationDetails', (p: any) => delete p.data.notificationDetails, 'data.notificationDetails'],
  ])('%s', (_name, mutate, path) => {
    const payload = seed('push-chat');
    mutate(payload);
    expect(failingPaths(PushPayloadSchema, payload)).toContain(path);
  });

  it.each([
    ['call without callAction', (p: any) => delete p.data.notificationDetails.callAction, 'data.notificationDetails.callAction'],
    ['unknown callAction', (p: any) => (p.data.notificationDetails.callAction = 'dialing'), 'data.notificationDetails.callAction'],
    ['unknown callType', (p: any) => (p.data.notificationDetails.callType = 'hologram'), 'data.notificationDetails.callType'],
  ])('%s', (_name, mutate, path) => {
    const payload = seed('push-call');
    mutate(payload);
    expect(failingPaths(PushPayloadSchema, payload)).toContain(path);
  });

  it('accepts every documented call action, and a numeric sentAt and tag', () => {
    for (const callAction of ['initiated', 'cancelled', 'unanswered', 'ongoing', 'rejected', 'ended', 'busy']) {
      const payload = seed('push-call');
      Object.assign(payload.data.notificationDetails, { callAction, sentAt: 1741847460000, tag: 42 });
      expect(failingPaths(PushPayloadSchema, payload)).toEqual([]);
    }
  });
});

describe('SMS and email schemas', () => {
  type Row = readonly [SeedName, (payload: any) => unknown, string];
  it.each<Row>([
    ['sms-one-on-one', (p: any) => delete p.data.smsContent, 'data.smsContent'],
    ['sms-group', (p: any) => (p.data.smsContent = '   '), 'data.smsContent'],
    ['sms-group', (p: any) => delete p.data.to, 'data.to'],
    ['sms-one-on-one', (p: any) => (p.data.messages = []), 'data.messages'],
    ['sms-one-on-one', (p: any) => delete p.data.messages[1].sender.uid, 'data.messages.1.sender.uid'],
    ['sms-one-on-one', (p: any) => (p.data.messages[0].message = 7), 'data.messages.0.message'],
    ['email-one-on-one', (p: any) => delete p.data.subject, 'data.subject'],
    ['email-group', (p: any) => delete p.data.messages, 'data.messages'],
    ['email-group', (p: any) => delete p.data.groupDetails.guid, 'data.groupDetails.guid'],
    ['email-one-on-one', (p: any) => (p.data.to.email = 42), 'data.to.email'],
  ])('%s fails at the path that breaks delivery', (name, mutate, path) => {
    const payload = seed(name);
    mutate(payload);
    expect(failingPaths(SCHEMAS[SEED_SAMPLES[name]], payload)).toContain(path);
  });

  it.each(['sms-one-on-one', 'email-group'] as const)('%s without the optional phone/email and message objects still passes', (name) => {
    const payload = seed(name);
    delete payload.data.to.phno;
    delete payload.data.to.email;
    for (const message of payload.data.messages) delete message.messageObject;
    expect(failingPaths(SCHEMAS[SEED_SAMPLES[name]], payload)).toEqual([]);
  });
});
