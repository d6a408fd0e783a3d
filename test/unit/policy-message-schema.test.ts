import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AfterMessagePayloadSchema,
  BeforeMessagePayloadSchema,
  MessageWebhookPayloadSchema,
  messageTextOf,
  senderUidOf,
} from '../../functions/policy/message-schema.ts';

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/policy/${name}.json`, import.meta.url), 'utf8'));

const failingPaths = (schema: typeof BeforeMessagePayloadSchema | typeof AfterMessagePayloadSchema, payload: unknown) => {
  const result = schema.safeParse(payload);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('message webhook fixtures', () => {
  it.each([
    ['before-message-text-user', BeforeMessagePayloadSchema],
    ['before-message-text-group', BeforeMessagePayloadSchema],
    ['before-message-image', BeforeMessagePayloadSchema],
    ['after-message-text', AfterMessagePayloadSchema],
  ] as const)('%s passes its schema', (name, schema) => {
    // Act
    const result = schema.safeParse(fixture(name));

    // Assess
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(['before-message-text-user', 'before-message-text-group', 'before-message-image', 'after-message-text'])(
    '%s is told apart by trigger in the union schema',
    (name) => {
      const payload = fixture(name);
      const parsed = MessageWebhookPayloadSchema.parse(payload);
      expect(parsed.trigger).toBe(payload.trigger);
    },
  );

  it('keeps unknown extra fields at every level', () => {
    // Prepare
    const payload = fixture('before-message-text-user');
    payload.futureField = 1;
    payload.data.reactions = [];
    payload.data.data.metadata = { custom: true };
    payload.data.data.entities.sender.entity.tags = ['vip'];

    // Act
    const parsed = BeforeMessagePayloadSchema.parse(payload) as Record<string, any>;

    // Assess
    expect(parsed.futureField).toBe(1);
    expect(parsed.data.reactions).toEqual([]);
    expect(parsed.data.data.metadata).toEqual({ custom: true });
    expect(parsed.data.data.entities.sender.entity.tags).toEqual(['vip']);
  });

  it('reads the text and the sender of the fixtures', () => {
    const user = BeforeMessagePayloadSchema.parse(fixture('before-message-text-user'));
    const image = BeforeMessagePayloadSchema.parse(fixture('before-message-image'));
    expect(messageTextOf(user.data)).toBe('Hey Andrew, are we still on for lunch tomorrow?');
    expect(senderUidOf(user.data)).toBe('cometchat-uid-1');
    expect(messageTextOf(image.data)).toBeUndefined();
    expect(senderUidOf(image.data)).toBe('cometchat-uid-4');
  });
});

describe('before_message schema', () => {
  it.each([
    ['wrong trigger', (p: any) => (p.trigger = 'after_message'), 'trigger'],
    ['no app id', (p: any) => delete p.appId, 'appId'],
    ['no webhook id', (p: any) => delete p.webhook, 'webhook'],
    ['empty webhook id', (p: any) => (p.webhook = ''), 'webhook'],
    ['no message', (p: any) => delete p.data, 'data'],
    ['receiverType not user or group', (p: any) => (p.data.receiverType = 'channel'), 'data.receiverType'],
    ['no receiver', (p: any) => delete p.data.receiver, 'data.receiver'],
    ['no category', (p: any) => delete p.data.category, 'data.category'],
    ['no type', (p: any) => delete p.data.type, 'data.type'],
    ['text not a string', (p: any) => (p.data.data.text = 42), 'data.data.text'],
    ['sentAt not an epoch', (p: any) => (p.data.sentAt = 'yesterday'), 'data.sentAt'],
    [
      'no sender anywhere',
      (p: any) => {
        delete p.data.sender;
        delete p.data.data.entities.sender;
      },
      'data.sender',
    ],
  ])('rejects %s', (_name, mutate, path) => {
    // Prepare
    const payload = fixture('before-message-text-user');
    mutate(payload);

    // Act + Assess
    expect(failingPaths(BeforeMessagePayloadSchema, payload)).toContain(path);
  });

  it.each([
    ['no sender field, sender entity present', (p: any) => delete p.data.sender],
    ['no message data (no text)', (p: any) => delete p.data.data],
    ['no conversation id, sentAt or updatedAt', (p: any) => {
      delete p.data.conversationId;
      delete p.data.sentAt;
      delete p.data.updatedAt;
    }],
    ['sentAt as a string of digits', (p: any) => (p.data.sentAt = '1718611234')],
    ['a category and type CometChat adds later', (p: any) => Object.assign(p.data, { category: 'interactive', type: 'form' })],
    ['no region', (p: any) => delete p.region],
  ])('accepts %s', (_name, mutate) => {
    const payload = fixture('before-message-text-user');
    mutate(payload);
    expect(failingPaths(BeforeMessagePayloadSchema, payload)).toEqual([]);
  });
});

describe('after_message schema', () => {
  it('requires the message id', () => {
    const payload = fixture('after-message-text');
    delete payload.data.id;
    expect(failingPaths(AfterMessagePayloadSchema, payload)).toContain('data.id');
  });

  it.each([['8127'], [8127]])('accepts id %j', (id) => {
    const payload = fixture('after-message-text');
    payload.data.id = id;
    expect(failingPaths(AfterMessagePayloadSchema, payload)).toEqual([]);
  });

  it('is not a before_message', () => {
    expect(failingPaths(BeforeMessagePayloadSchema, fixture('after-message-text'))).toContain('trigger');
  });
});
