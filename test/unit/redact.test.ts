import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { isMaskedKey, REDACTED, redact, redactText } from '../../functions/shared/redact.ts';
import { seed } from '../fixtures/seeds.ts';

const APNS_TOKEN = '740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad';
const FCM_TOKEN =
  'dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx0m5e8o7NCS_2PRmk9hQZ6H-2OfUqgiMQ7Wq8A6o3bFYHr4sD9kLxrqPQm7zNbd2L0fJ8cT1sVnW6uE5pXoK';
const EMAIL = 'andrew-joseph@example.com';
const PHONE = '+919299334134';

const json = (value: unknown) => JSON.stringify(redact(value));

describe('redactText', () => {
  it('keeps the domain of an email address and nothing of the mailbox', () => {
    expect(redactText(`bounced: ${EMAIL}`)).toBe('bounced: ***@example.com');
  });

  it('keeps the country and the last two digits of an E.164 number, with or without separators', () => {
    expect(redactText(`sms to ${PHONE} failed`)).toBe('sms to +91***34 failed');
    expect(redactText('call +1 (415) 555-0100 now')).toBe('call +14***00 now');
  });

  it('masks APNs and FCM tokens to at most four characters at each end', () => {
    const masked = redactText(`token ${APNS_TOKEN} and ${FCM_TOKEN}`);
    expect(masked).not.toContain(APNS_TOKEN);
    expect(masked).not.toContain(FCM_TOKEN);
    expect(masked).not.toContain('APA91bHun4MxP5eg');
    expect(masked).toMatch(/^token 740f…78ad and \S{1,4}…\S{1,4}$/);
  });

  it('masks Basic credentials (and the pair inside them) but leaves prose about the scheme readable', () => {
    const header = encodeBasicAuth({ username: 'cometchat', password: 'localpassword' });
    expect(redactText(`Authorization: ${header}`)).toBe(`Authorization: Basic ${REDACTED}`);
    expect(redactText('Authorization header must use the Basic scheme.')).toBe('Authorization header must use the Basic scheme.');
  });

  it('masks Bearer tokens and key=value secrets', () => {
    expect(redactText('Authorization: Bearer localadmintoken1234')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('password=hunter2hunter2&user=x')).toBe(`password=${REDACTED}&user=x`);
    expect(redactText('{"secret": "s3cr3t"}')).toBe(`{"secret": "${REDACTED}"}`);
  });

  it('leaves identifiers people need to read alone: UUIDs, ARNs, resource names, timestamps', () => {
    const line =
      'queue logscan-abc12345-message-events-outbox, endpoint arn:aws:sns:us-east-1:000000000000:endpoint/GCM/relay-fcm/79f27350-9dfe-433b-83ff-fd3245bd3c50 at 2026-11-21T05:22:38.735+00:00';
    expect(redactText(line)).toBe(line);
  });

  it('masks hex runs that are tokens, unless told the value is an id the relay generated', () => {
    const key = `push:${APNS_TOKEN}`;
    expect(redactText(key)).not.toContain(APNS_TOKEN);
    expect(redactText(key, { opaqueId: true })).toBe(key);
  });

  it('never lets an embedded email, phone or token through (property)', () => {
    const email = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/), fc.stringMatching(/^[a-z]{2,10}\.(com|org|io)$/))
      .map(([local, domain]) => `${local}@${domain}`);
    const phone = fc.stringMatching(/^\+[1-9]\d{7,13}$/);
    const token = fc.stringMatching(/^[0-9a-f]{64}$/).filter((hex) => /[a-f]/.test(hex) && /\d/.test(hex));
    const filler = fc.stringMatching(/^[ A-Za-z,.:;()]{0,20}$/);
    fc.assert(
      fc.property(filler, email, filler, phone, filler, token, filler, (a, address, b, number, c, hex, d) => {
        const out = redactText(`${a} ${address} ${b} ${number} ${c} ${hex} ${d}`);
        expect(out).not.toContain(address);
        expect(out).not.toContain(number);
        expect(out).not.toContain(hex);
      }),
    );
  });
});

describe('redact', () => {
  it('masks contact, token, credential and content fields by name, whatever their case or separators', () => {
    const out = redact({
      phone: PHONE,
      phno: '9299334134',
      Email: 'a@b.co',
      email_address: 'c@d.co',
      token: 'short',
      deviceToken: 'also-short',
      Authorization: 'anything',
      'x-api-key': 'k',
      password: 'p',
      text: 'Hello!',
      smsContent: 'Are we meeting?',
      body: 'Hello!',
      subject: 'New messages',
      messages: [{ message: 'hi' }],
      channel: 'sms',
      status: 200,
    });
    expect(out).toEqual({
      phone: REDACTED,
      phno: REDACTED,
      Email: REDACTED,
      email_address: REDACTED,
      token: REDACTED,
      deviceToken: REDACTED,
      Authorization: REDACTED,
      'x-api-key': REDACTED,
      password: REDACTED,
      text: REDACTED,
      smsContent: REDACTED,
      body: REDACTED,
      subject: REDACTED,
      messages: REDACTED,
      channel: 'sms',
      status: 200,
    });
    expect(isMaskedKey('PhoneNumber')).toBe(true);
    expect(isMaskedKey('idempotencyKey')).toBe(false);
  });

  it('masks a message object (CometChat content) but scans a message string (an error message)', () => {
    expect(redact({ message: { data: { text: 'Hello!' } } })).toEqual({ message: REDACTED });
    expect(redact({ cause: { name: 'Error', message: `no endpoint for ${EMAIL}` } })).toEqual({
      cause: { name: 'Error', message: 'no endpoint for ***@example.com' },
    });
  });

  it('leaves nothing of a whole CometChat payload that identifies the recipient or carries text', () => {
    for (const name of ['push-chat', 'sms-one-on-one', 'email-one-on-one'] as const) {
      const payload = seed(name);
      const out = json({ payload });
      expect(out).not.toContain(EMAIL);
      expect(out).not.toContain(PHONE);
      expect(out).not.toContain('Are we meeting on this weekend?');
      expect(out).not.toContain('"Hello!"');
      // What is left is still useful: the trigger and the app.
      expect(out).toContain(payload.trigger);
    }
  });

  it('reads a JSON document held in a string (an SNS Message) as the document', () => {
    const snsInput = {
      Message: JSON.stringify({ GCM: JSON.stringify({ notification: { title: 'Andrew', body: 'Hello!' } }) }),
      TargetArn: 'arn:x',
    };
    const out = json(snsInput);
    expect(out).not.toContain('Hello!');
    expect(out).toContain('arn:x');
  });

  it('reduces errors to name, message and stack, scanned, and follows their causes', () => {
    const error = new Error(`SMS to ${PHONE} refused`, { cause: new Error(`mailbox ${EMAIL} full`) });
    const out = redact({ error }) as { error: Record<string, unknown> };
    expect(out.error.name).toBe('Error');
    expect(out.error.message).toBe('SMS to +91***34 refused');
    expect(String(out.error.stack)).not.toContain(PHONE);
    expect(JSON.stringify(out.error.cause)).not.toContain(EMAIL);
  });

  it('drops the raw HTTP response of an SDK error and summarises objects that are not plain data', () => {
    const error = Object.assign(new Error('Throttled'), {
      $metadata: { httpStatusCode: 429 },
      $response: { body: `echo ${EMAIL}` },
    });
    const out = redact({ error, socket: new (class Socket {})() }) as Record<string, any>;
    expect(out.error.$metadata).toEqual({ httpStatusCode: 429 });
    expect(out.error.$response).toBeUndefined();
    expect(out.socket).toBe('[Socket]');
  });

  it('cuts cycles and very deep nesting, and keeps repeated references', () => {
    const shared = { id: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ shared: { id: 1 }, again: { id: 1 }, self: '[circular]' });
    let deep: Record<string, unknown> = { leaf: true };
    for (let level = 0; level < 20; level += 1) deep = { deep };
    expect(JSON.stringify(redact(deep))).toContain('[truncated]');
  });

  it('keeps ids the relay generates readable, scans everything else', () => {
    const idempotencyKey = `push:${APNS_TOKEN}`;
    expect(redact({ idempotencyKey, note: idempotencyKey })).toEqual({ idempotencyKey, note: 'push:740f…78ad' });
  });

  it('passes numbers, booleans, null and dates through', () => {
    const at = new Date('2026-03-13T06:31:02.418Z');
    expect(redact({ count: 3, ok: true, none: null, at })).toEqual({
      count: 3,
      ok: true,
      none: null,
      at: '2026-03-13T06:31:02.418Z',
    });
  });
});
