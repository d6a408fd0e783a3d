import { describe, expect, it } from 'vitest';
import {
  ContactDetailsSchema,
  DeviceRegistrationSchema,
  deviceIdSchema,
  deviceTokenSchema,
  emailSchema,
  PlatformApplicationArnsJsonSchema,
  phoneSchema,
  platformSchema,
  uidSchema,
} from '../../functions/directory/directory-schemas.ts';
import { maskToken } from '../../functions/directory/token-mask.ts';

const FCM_TOKEN = 'dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx8nXhVXUTcOwsA0G1i3Yl0H8mWcGKW4t0xsJd0U5nOLf_';
const APNS_TOKEN = 'a'.repeat(64);

describe('uid', () => {
  it.each([
    ['cometchat-uid-1', 'cometchat-uid-1'],
    ['superhero_1', 'superhero_1'],
    ['User-1', 'user-1'],
    ['jane.doe@example.com', 'jane.doe@example.com'],
    ['a', 'a'],
    ['x'.repeat(100), 'x'.repeat(100)],
  ])('accepts %s as %s (lowercased, as CometChat stores uids)', (input, stored) => {
    expect(uidSchema.parse(input)).toBe(stored);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(101)],
    ['a space', 'jane doe'],
    ['a slash', 'a/b'],
    ['a hash', 'a#b'],
    ['non-ASCII', 'jöra'],
    ['dots only', '..'],
    ['a number', 42],
    ['missing', undefined],
  ])('refuses %s', (_name, input) => {
    expect(uidSchema.safeParse(input).success).toBe(false);
  });
});

describe('deviceId', () => {
  it.each(['iphone-15', 'install.1234', 'a1b2:c3', 'X_Y', 'd'.repeat(128)])('accepts %s', (input) => {
    expect(deviceIdSchema.parse(input)).toBe(input);
  });
  it.each([['empty', ''], ['too long', 'd'.repeat(129)], ['a slash', 'a/b'], ['a space', 'a b'], ['a hash', 'a#b'], ['missing', undefined]])(
    'refuses %s',
    (_name, input) => {
      expect(deviceIdSchema.safeParse(input).success).toBe(false);
    },
  );
});

describe('platform', () => {
  it.each(['fcm', 'apns', 'apns_sandbox', 'apns_voip', 'apns_voip_sandbox'])('accepts %s', (input) => {
    expect(platformSchema.parse(input)).toBe(input);
  });
  it.each(['gcm', 'APNS', 'android', '', undefined])('refuses %s', (input) => {
    const result = platformSchema.safeParse(input);
    expect(result.success).toBe(false);
  });
  it('names the accepted platforms in its message', () => {
    expect(platformSchema.safeParse('gcm').error?.issues[0]?.message).toBe(
      'must be one of fcm, apns, apns_sandbox, apns_voip, apns_voip_sandbox',
    );
  });
});

describe('device token', () => {
  it.each([['FCM', FCM_TOKEN], ['APNs', APNS_TOKEN], ['longest', 't'.repeat(4096)], ['one character', 't']])('accepts a %s token', (_name, input) => {
    expect(deviceTokenSchema.parse(input)).toBe(input);
  });
  it.each([
    ['empty', ''],
    ['too long', 't'.repeat(4097)],
    ['with a space', 'abc def'],
    ['with a newline', 'abc\ndef'],
    ['with a leading space', ' abc'],
    ['non-ASCII', 'tökén'],
    ['a number', 1234],
  ])('refuses %s', (_name, input) => {
    expect(deviceTokenSchema.safeParse(input).success).toBe(false);
  });
  it('never quotes the token in its messages', () => {
    const secret = `${'s'.repeat(40)} ${'s'.repeat(40)}`;
    const issues = deviceTokenSchema.safeParse(secret).error?.issues ?? [];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.message).not.toContain('ssss');
  });
});

describe('phone', () => {
  it.each([
    ['+14155550123', '+14155550123'],
    ['  +447700900123 ', '+447700900123'],
    ['+4930123456', '+4930123456'],
    ['+123456789012345', '+123456789012345'],
  ])('accepts %j as %s', (input, stored) => {
    expect(phoneSchema.parse(input)).toBe(stored);
  });
  it.each([
    ['no plus', '14155550123'],
    ['leading zero country code', '+04155550123'],
    ['too short', '+1234567'],
    ['too long', '+1234567890123456'],
    ['spaces inside', '+1 415 555 0123'],
    ['dashes', '+1-415-555-0123'],
    ['letters', '+1415555CALL'],
    ['empty', ''],
  ])('refuses %s', (_name, input) => {
    expect(phoneSchema.safeParse(input).success).toBe(false);
  });
});

describe('email', () => {
  it.each([
    ['jane@example.com', 'jane@example.com'],
    [' jane.doe+chat@mail.example.co.uk ', 'jane.doe+chat@mail.example.co.uk'],
  ])('accepts %j as %s', (input, stored) => {
    expect(emailSchema.parse(input)).toBe(stored);
  });
  it.each([
    ['no at', 'jane.example.com'],
    ['no domain', 'jane@'],
    ['spaces', 'jane doe@example.com'],
    ['two ats', 'jane@doe@example.com'],
    ['over 254 characters', `${'j'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.com`],
    ['empty', ''],
  ])('refuses %s', (_name, input) => {
    expect(emailSchema.safeParse(input).success).toBe(false);
  });
});

describe('request bodies', () => {
  it('a device registration needs platform and token, nothing else', () => {
    expect(DeviceRegistrationSchema.parse({ platform: 'fcm', token: FCM_TOKEN })).toEqual({ platform: 'fcm', token: FCM_TOKEN });
    const missing = DeviceRegistrationSchema.safeParse({ platform: 'fcm' });
    expect(missing.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['token', 'is required']]);
    const extra = DeviceRegistrationSchema.safeParse({ platform: 'fcm', token: FCM_TOKEN, tokn: 'x' });
    expect(extra.success).toBe(false);
  });

  it('a contact takes phone, email or both, and refuses unknown fields (replace semantics would drop data)', () => {
    expect(ContactDetailsSchema.parse({ phone: '+14155550123' })).toEqual({ phone: '+14155550123' });
    expect(ContactDetailsSchema.parse({ email: 'jane@example.com' })).toEqual({ email: 'jane@example.com' });
    expect(ContactDetailsSchema.safeParse({}).success).toBe(false);
    expect(ContactDetailsSchema.safeParse({ phone: '+14155550123', emial: 'jane@example.com' }).success).toBe(false);
    expect(ContactDetailsSchema.safeParse({ phone: null }).success).toBe(false);
  });
});

describe('PLATFORM_APPLICATION_ARNS', () => {
  it('accepts any subset of platforms, including none', () => {
    expect(PlatformApplicationArnsJsonSchema.parse('{}')).toEqual({});
    const arns = { fcm: 'arn:aws:sns:eu-west-1:123456789012:app/GCM/relay', apns_voip: 'arn:aws:sns:eu-west-1:123456789012:app/APNS_VOIP/relay-voip' };
    expect(PlatformApplicationArnsJsonSchema.parse(JSON.stringify(arns))).toEqual(arns);
  });
  it.each([
    ['not JSON', '{fcm:'],
    ['an unknown platform', '{"gcm":"arn:aws:sns:eu-west-1:123456789012:app/GCM/relay"}'],
    ['not an application ARN', '{"fcm":"arn:aws:sns:eu-west-1:123456789012:my-topic"}'],
    ['an array', '[]'],
  ])('refuses %s', (_name, input) => {
    expect(PlatformApplicationArnsJsonSchema.safeParse(input).success).toBe(false);
  });
});

describe('maskToken', () => {
  it.each([
    [FCM_TOKEN, 'dQw4…OLf_'],
    [APNS_TOKEN, 'aaaa…aaaa'],
    ['abcdefgh', 'ab…gh'],
    ['abcd', 'a…d'],
    ['abc', '…'],
    ['', '…'],
  ])('masks %s as %s', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });

  it('never shows more than half of any token', () => {
    for (let length = 1; length <= 80; length += 1) {
      const token = 'x'.repeat(length);
      expect(maskToken(token).replace('…', '').length).toBeLessThanOrEqual(length / 2);
    }
  });
});
