import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError } from '../../functions/delivery/outcome.ts';
import {
  apnsCollapseId,
  buildPushMessage,
  PUSH_PAYLOAD_LIMIT_BYTES,
  pushTargetsFor,
  SNS_PLATFORM_KEYS,
  truncateToBytes,
  truncateToFit,
  truncateToGraphemes,
} from '../../functions/delivery/push-payloads.ts';
import type { Platform } from '../../functions/shared/ports/directory.ts';
import { type NotificationDetails, PushPayloadSchema } from '../../functions/shared/schemas/push.ts';
import { seed } from '../fixtures/seeds.ts';

const details = (name: 'push-chat' | 'push-call', mutate: (d: any) => void = () => {}): NotificationDetails => {
  const payload = seed(name);
  mutate(payload.data.notificationDetails);
  return PushPayloadSchema.parse(payload).data.notificationDetails;
};

/** The SNS message parsed, with the platform entry parsed too. */
const published = (d: NotificationDetails, platform: Platform) => {
  const result = buildPushMessage(d, { platform });
  const outer = JSON.parse(result.message) as Record<string, unknown>;
  const entry = outer[SNS_PLATFORM_KEYS[platform]];
  if (typeof entry !== 'string') throw new Error(`no ${SNS_PLATFORM_KEYS[platform]} entry`);
  return { ...result, outer, entry, payload: JSON.parse(entry) as Record<string, any> };
};

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const isWellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const CHAT_FIELDS = {
  type: 'chat',
  tag: '123',
  conversationId: 'cometchat-uid-1_user_cometchat-uid-2',
  sender: 'cometchat-uid-1',
  senderName: 'Andrew Joseph',
  senderAvatar: 'https://assets.cometchat.io/sampleapp/v2/users/cometchat-uid-1.webp',
  receiver: 'cometchat-uid-2',
  receiverType: 'user',
  sentAt: '1741847453000',
};
const CUSTOM = { deepLink: 'myapp://chat/cometchat-uid-1', priority: 'high' };

const SESSION = 'v1.us.app123.1741847460a1b2c3';
const CALL_FIELDS = {
  ...CHAT_FIELDS,
  type: 'call',
  tag: SESSION,
  sentAt: '1741847460000',
  callAction: 'initiated',
  sessionId: SESSION,
  callType: 'video',
};

describe('pushTargetsFor', () => {
  const device = (deviceId: string, platform: Platform) => ({ deviceId, platform });
  const android = device('android', 'fcm');
  const iphone = device('iphone', 'apns');
  const iphoneDev = device('iphone-dev', 'apns_sandbox');
  const iphoneVoip = device('iphone-voip', 'apns_voip');
  const iphoneVoipDev = device('iphone-voip-dev', 'apns_voip_sandbox');
  const all = [android, iphone, iphoneDev, iphoneVoip, iphoneVoipDev];

  it.each([
    ['chat: regular tokens only, never VoIP', 'chat', all, [android, iphone, iphoneDev]],
    ['chat: nobody to send to with only VoIP tokens', 'chat', [iphoneVoip, iphoneVoipDev], []],
    ['call: FCM and the VoIP tokens, not regular APNs', 'call', all, [android, iphoneVoip, iphoneVoipDev]],
    ['call: a sandbox VoIP token counts as VoIP', 'call', [iphone, iphoneVoipDev], [iphoneVoipDev]],
    ['call: regular APNs when there is no VoIP token', 'call', [android, iphone, iphoneDev], [android, iphone, iphoneDev]],
    ['call: FCM alone', 'call', [android], [android]],
    ['no devices', 'call', [], []],
  ] as const)('%s', (_name, type, devices, expected) => {
    expect(pushTargetsFor({ type }, devices)).toEqual(expected);
  });
});

describe('buildPushMessage: exact payloads', () => {
  it('chat on FCM: an HTTP v1 notification message under GCM, CometChat fields and custom as string data', () => {
    const { outer, payload, messageAttributes, trimmed } = published(details('push-chat'), 'fcm');
    expect(Object.keys(outer).sort()).toEqual(['GCM', 'default']);
    expect(outer.default).toBe('Andrew Joseph: Hello!');
    expect(payload).toEqual({
      fcmV1Message: {
        message: {
          notification: { title: 'Andrew Joseph', body: 'Hello!' },
          android: { priority: 'high', notification: { tag: '123' } },
          data: { ...CHAT_FIELDS, custom: JSON.stringify(CUSTOM) },
        },
      },
    });
    expect(messageAttributes).toEqual({});
    expect(trimmed).toEqual([]);
  });

  it.each(['apns', 'apns_sandbox'] as const)('chat on %s: an alert with thread, collapse id and custom data', (platform) => {
    const { outer, payload, messageAttributes, trimmed } = published(details('push-chat'), platform);
    expect(Object.keys(outer).sort()).toEqual([SNS_PLATFORM_KEYS[platform], 'default'].sort());
    expect(payload).toEqual({
      aps: {
        alert: { title: 'Andrew Joseph', body: 'Hello!' },
        sound: 'default',
        'thread-id': 'cometchat-uid-1_user_cometchat-uid-2',
        'mutable-content': 1,
      },
      ...CHAT_FIELDS,
      custom: CUSTOM,
    });
    expect(messageAttributes).toEqual({
      'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
      'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '10' },
      'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': { DataType: 'String', StringValue: '123' },
    });
    expect(trimmed).toEqual([]);
  });

  it('puts the unread count on the badge (APNs) and the notification count (FCM)', () => {
    const withCount = details('push-chat', (d) => (d.unreadMessageCount = 7));
    expect(published(withCount, 'apns').payload.aps.badge).toBe(7);
    expect(published(withCount, 'fcm').payload.fcmV1Message.message.android).toEqual({
      priority: 'high',
      notification: { tag: '123', notification_count: 7 },
    });
  });

  it('strips the message object and fields CometChat may add, and keeps a numeric tag as a string', () => {
    const d = details('push-chat', (n) => {
      n.tag = 123;
      n.somethingNew = 'x'.repeat(50);
    });
    for (const platform of ['fcm', 'apns'] as const) {
      const { message, payload } = published(d, platform);
      expect(message).not.toContain('muid');
      expect(message).not.toContain('somethingNew');
      expect(message).not.toContain('"message"');
      expect(platform === 'fcm' ? payload.fcmV1Message.message.data.tag : payload.tag).toBe('123');
    }
  });

  it('omits what the notification does not carry', () => {
    const bare = details('push-chat', (d) => {
      for (const key of ['sender', 'senderName', 'senderAvatar', 'receiver', 'receiverName', 'receiverAvatar', 'receiverType', 'tag', 'conversationId', 'sentAt', 'message', 'custom']) {
        delete d[key];
      }
    });
    expect(published(bare, 'fcm').payload).toEqual({
      fcmV1Message: { message: { notification: { title: 'Andrew Joseph', body: 'Hello!' }, android: { priority: 'high' }, data: { type: 'chat' } } },
    });
    const apns = published(bare, 'apns');
    expect(apns.payload).toEqual({ aps: { alert: { title: 'Andrew Joseph', body: 'Hello!' }, sound: 'default', 'mutable-content': 1 }, type: 'chat' });
    expect(Object.keys(apns.messageAttributes)).not.toContain('AWS.SNS.MOBILE.APNS.COLLAPSE_ID');
  });

  it.each([
    ['initiated', '60s'],
    ['cancelled', '30s'],
    ['unanswered', '30s'],
    ['ended', '30s'],
  ])('call %s on FCM: a data-only high-priority message with ttl %s, collapsed per session', (callAction, ttl) => {
    const { payload, messageAttributes } = published(details('push-call', (d) => (d.callAction = callAction)), 'fcm');
    expect(payload).toEqual({
      fcmV1Message: {
        message: {
          data: { ...CALL_FIELDS, callAction, title: 'Andrew Joseph', body: 'VIDEO CALL' },
          android: { priority: 'high', ttl, collapse_key: SESSION },
        },
      },
    });
    expect(payload.fcmV1Message.message.notification).toBeUndefined();
    expect(messageAttributes).toEqual({});
  });

  it.each([
    ['apns_voip', 'initiated', '60'],
    ['apns_voip', 'cancelled', '30'],
    ['apns_voip_sandbox', 'initiated', '60'],
  ] as const)('call on %s (%s): a PushKit payload with voip push type and TTL %s', (platform, callAction, ttl) => {
    const { outer, payload, messageAttributes } = published(details('push-call', (d) => (d.callAction = callAction)), platform);
    expect(Object.keys(outer).sort()).toEqual([SNS_PLATFORM_KEYS[platform], 'default'].sort());
    expect(payload).toEqual({ aps: {}, ...CALL_FIELDS, callAction, title: 'Andrew Joseph', body: 'VIDEO CALL' });
    expect(messageAttributes).toEqual({
      'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'voip' },
      'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '10' },
      [`AWS.SNS.MOBILE.${SNS_PLATFORM_KEYS[platform]}.TTL`]: { DataType: 'String', StringValue: ttl },
    });
  });

  it.each([
    ['initiated', { sound: 'default' }, '60'],
    ['cancelled', {}, '30'],
  ])('call %s on regular APNs (no VoIP token): an alert carrying the call fields', (callAction, sound, ttl) => {
    const { payload, messageAttributes } = published(details('push-call', (d) => (d.callAction = callAction)), 'apns');
    expect(payload).toEqual({
      aps: {
        alert: { title: 'Andrew Joseph', body: 'VIDEO CALL' },
        ...sound,
        'thread-id': 'cometchat-uid-1_user_cometchat-uid-2',
        'mutable-content': 1,
      },
      ...CALL_FIELDS,
      callAction,
    });
    expect(messageAttributes).toEqual({
      'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
      'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '10' },
      'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': { DataType: 'String', StringValue: SESSION },
      'AWS.SNS.MOBILE.APNS.TTL': { DataType: 'String', StringValue: ttl },
    });
  });

  it('keeps custom data on calls', () => {
    const d = details('push-call', (n) => (n.custom = { room: 'a' }));
    expect(published(d, 'apns_voip').payload.custom).toEqual({ room: 'a' });
    expect(published(d, 'fcm').payload.fcmV1Message.message.data.custom).toBe('{"room":"a"}');
  });

  it.each(['apns_voip', 'apns_voip_sandbox'] as const)('refuses a chat notification on %s', (platform) => {
    expect(() => buildPushMessage(details('push-chat'), { platform })).toThrow(PermanentDeliveryError);
  });
});

describe('apnsCollapseId', () => {
  it.each([
    ['a short tag as it is', '123', '123'],
    ['exactly 64 bytes as it is', 'a'.repeat(64), 'a'.repeat(64)],
    ['multi-byte within 64 bytes as it is', 'é'.repeat(32), 'é'.repeat(32)],
    ['65 bytes hashed', 'a'.repeat(65), createHash('sha256').update('a'.repeat(65)).digest('hex')],
    ['33 two-byte characters hashed', 'é'.repeat(33), createHash('sha256').update('é'.repeat(33)).digest('hex')],
  ])('keeps %s', (_name, tag, expected) => {
    const id = apnsCollapseId(tag);
    expect(id).toBe(expected);
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
  });

  it('is what a long group tag gets on APNs, the same for an edit', () => {
    const guid = `group-${'x'.repeat(100)}`;
    const attribute = (body: string) =>
      published(details('push-chat', (d) => Object.assign(d, { tag: guid, body })), 'apns').messageAttributes['AWS.SNS.MOBILE.APNS.COLLAPSE_ID'];
    expect(attribute('Hello')).toEqual({ DataType: 'String', StringValue: apnsCollapseId(guid) });
    expect(attribute('Hello (edited)')).toEqual(attribute('Hello'));
  });
});

describe('buildPushMessage: provider size limits', () => {
  it('uses the providers\' limits: 4000 bytes for FCM, 4096 for APNs', () => {
    expect(PUSH_PAYLOAD_LIMIT_BYTES).toEqual({ fcm: 4000, apns: 4096, apns_sandbox: 4096, apns_voip: 4096, apns_voip_sandbox: 4096 });
  });

  const PLATFORMS_FOR = { chat: ['fcm', 'apns', 'apns_sandbox'], call: ['fcm', 'apns', 'apns_voip', 'apns_voip_sandbox'] } as const;
  const cases = (['chat', 'call'] as const).flatMap((type) => PLATFORMS_FOR[type].map((platform) => [type, platform] as const));
  const base = (type: 'chat' | 'call', mutate: (d: any) => void) => details(type === 'chat' ? 'push-chat' : 'push-call', mutate);
  const bodyOf = (type: 'chat' | 'call', platform: Platform, payload: Record<string, any>): string =>
    platform === 'fcm'
      ? type === 'chat'
        ? payload.fcmV1Message.message.notification.body
        : payload.fcmV1Message.message.data.body
      : platform.startsWith('apns_voip')
        ? payload.body
        : payload.aps.alert.body;
  const customOf = (platform: Platform, payload: Record<string, any>): unknown =>
    platform === 'fcm' ? payload.fcmV1Message.message.data.custom : payload.custom;

  // A family emoji is one grapheme of 7 code points: cutting inside it would show broken people.
  const FAMILY = '👨‍👩‍👧‍👦';
  const HUGE_BODY = `Start ${FAMILY.repeat(2000)}`;
  const HUGE_CUSTOM = { blob: 'c'.repeat(6000) };

  it.each(cases)('%s on %s: a huge body is cut at a grapheme, with an ellipsis, under the limit', (type, platform) => {
    const { entry, payload, trimmed } = published(base(type, (d) => (d.body = HUGE_BODY)), platform);
    expect(bytes(entry)).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES[platform]);
    expect(bytes(entry)).toBeGreaterThan(PUSH_PAYLOAD_LIMIT_BYTES[platform] - 50);
    expect(trimmed).toEqual(['body']);
    const body = bodyOf(type, platform, payload);
    expect(body.startsWith('Start ')).toBe(true);
    expect(body.endsWith('…')).toBe(true);
    expect(isWellFormed(body)).toBe(true);
    expect(body.slice('Start '.length, -1).replaceAll(FAMILY, '')).toBe('');
    if (type === 'chat') expect(customOf(platform, payload)).toBeDefined();
  });

  it.each(cases)('%s on %s: a huge custom is dropped and the body kept whole', (type, platform) => {
    const { entry, payload, trimmed } = published(base(type, (d) => (d.custom = HUGE_CUSTOM)), platform);
    expect(bytes(entry)).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES[platform]);
    expect(trimmed).toEqual(['custom']);
    expect(customOf(platform, payload)).toBeUndefined();
    expect(bodyOf(type, platform, payload)).toBe(type === 'chat' ? 'Hello!' : 'VIDEO CALL');
  });

  it.each(cases)('%s on %s: a huge body and a huge custom lose the custom and part of the body', (type, platform) => {
    const { entry, payload, trimmed } = published(
      base(type, (d) => {
        d.body = HUGE_BODY;
        d.custom = HUGE_CUSTOM;
      }),
      platform,
    );
    expect(bytes(entry)).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES[platform]);
    expect(trimmed).toEqual(['body', 'custom']);
    expect(customOf(platform, payload)).toBeUndefined();
    expect(bodyOf(type, platform, payload).endsWith('…')).toBe(true);
  });

  it('cuts the body rather than dropping a small custom', () => {
    const { payload, trimmed } = published(details('push-chat', (d) => (d.body = 'b'.repeat(5000))), 'apns');
    expect(trimmed).toEqual(['body']);
    expect(payload.custom).toEqual(CUSTOM);
  });

  it('drops a custom that would leave less than a useful body', () => {
    // Sized so that, with the custom kept, only about 100 bytes of body would fit.
    const overhead = bytes(published(details('push-chat', (d) => Object.assign(d, { body: '', custom: { blob: '' } })), 'apns').entry);
    const custom = { blob: 'c'.repeat(4096 - overhead - 100) };
    const { payload, trimmed } = published(details('push-chat', (d) => Object.assign(d, { body: 'b'.repeat(600), custom })), 'apns');
    expect(trimmed).toEqual(['custom']);
    expect(payload.aps.alert.body).toBe('b'.repeat(600));
  });

  it('keeps a custom when the body can stay long enough', () => {
    const overhead = bytes(published(details('push-chat', (d) => Object.assign(d, { body: '', custom: { blob: '' } })), 'apns').entry);
    const custom = { blob: 'c'.repeat(4096 - overhead - 400) };
    const { payload, trimmed } = published(details('push-chat', (d) => Object.assign(d, { body: 'b'.repeat(600), custom })), 'apns');
    expect(trimmed).toEqual(['body']);
    expect(payload.custom).toEqual(custom);
    expect(bytes(payload.aps.alert.body)).toBeGreaterThanOrEqual(256);
  });

  it('counts JSON escaping: a body of quotes and line breaks stays under the limit', () => {
    const { entry, trimmed } = published(details('push-chat', (d) => (d.body = '"\n\\\u0001'.repeat(3000))), 'fcm');
    expect(bytes(entry)).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES.fcm);
    expect(trimmed).toEqual(['body']);
  });

  it('as a last resort shortens the title and drops the avatar', () => {
    const { entry, payload, trimmed } = published(
      details('push-chat', (d) => {
        d.title = 't'.repeat(5000);
        d.senderAvatar = `https://example.com/${'a'.repeat(500)}`;
      }),
      'apns',
    );
    expect(bytes(entry)).toBeLessThanOrEqual(4096);
    expect(trimmed).toEqual(['custom', 'title', 'senderAvatar']);
    expect(payload.aps.alert.title).toBe(`${'t'.repeat(63)}…`);
    expect(payload.aps.alert.body).toBe('Hello!');
    expect(payload.senderAvatar).toBeUndefined();
  });

  it('refuses what cannot fit at all', () => {
    const d = details('push-chat', (n) => (n.conversationId = 'x'.repeat(5000)));
    expect(() => buildPushMessage(d, { platform: 'apns' })).toThrow(PermanentDeliveryError);
  });

  it('keeps the SNS default entry short', () => {
    const { outer } = published(details('push-chat', (d) => (d.body = HUGE_BODY)), 'apns');
    expect(bytes(String(outer.default))).toBeLessThanOrEqual(256);
  });
});

describe('text truncation', () => {
  it.each([
    ['fits as it is', 'hello', 10, 'hello'],
    ['ASCII', 'hello world', 8, 'hello…'],
    ['trailing space before the ellipsis is dropped', 'hello world', 9, 'hello…'],
    ['never half a surrogate pair', '😀😀😀', 9, '😀…'],
    ['never a flag cut in two', '🇫🇷🇫🇷', 11, '🇫🇷…'],
    ['never an accent without its letter', 'e\u0301e\u0301e\u0301', 7, 'e\u0301…'],
    ['not even the ellipsis', 'hello', 2, ''],
  ])('truncateToBytes: %s', (_name, text, maxBytes, expected) => {
    const result = truncateToBytes(text, maxBytes);
    expect(result).toBe(expected);
    expect(bytes(result)).toBeLessThanOrEqual(maxBytes);
  });

  it.each([
    ['short enough', 'abc', 3, 'abc'],
    ['counts graphemes, not code units', '👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 2, '👨‍👩‍👧‍👦👨‍👩‍👧‍👦'],
    ['cut with an ellipsis that counts', 'abcdef', 4, 'abc…'],
  ])('truncateToGraphemes: %s', (_name, text, max, expected) => {
    expect(truncateToGraphemes(text, max)).toBe(expected);
  });

  it('truncateToFit returns undefined for empty text that does not fit', () => {
    expect(truncateToFit('', () => false)).toBeUndefined();
  });
});
