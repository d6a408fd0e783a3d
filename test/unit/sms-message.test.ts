import { describe, expect, it } from 'vitest';
import { buildSms, normaliseE164, SMS_MAX_BYTES } from '../../functions/delivery/sms-message.ts';
import { type SmsPayload, SmsPayloadSchema } from '../../functions/shared/schemas/sms.ts';
import { seed } from '../fixtures/seeds.ts';

const sms = (name: 'sms-one-on-one' | 'sms-group', mutate: (data: any) => void = () => {}): SmsPayload => {
  const payload = seed(name);
  mutate(payload.data);
  return SmsPayloadSchema.parse(payload);
};

const TRANSACTIONAL = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };

describe('buildSms', () => {
  it.each([
    ['sms-one-on-one', "You've received new messages from Susan Marie! Read them at https://your-website.com/chat."],
    ['sms-group', "You've received new messages in Hiking Group! Read them at https://your-website.com."],
  ] as const)('%s: smsContent as the text, Transactional', (name, expected) => {
    expect(buildSms(sms(name), {})).toEqual({ message: expected, messageAttributes: TRANSACTIONAL, truncated: false });
  });

  it.each([
    ['nothing configured', {}, TRANSACTIONAL],
    ['blank settings count as not configured', { senderId: ' ', originationNumber: '', maxPrice: undefined }, TRANSACTIONAL],
    ['a sender id', { senderId: 'AcmeChat' }, { ...TRANSACTIONAL, 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'AcmeChat' } }],
    [
      'an origination number',
      { originationNumber: '+14155550100' },
      { ...TRANSACTIONAL, 'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+14155550100' } },
    ],
    ['a max price, as a Number', { maxPrice: '0.50' }, { ...TRANSACTIONAL, 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' } }],
    [
      'all of them',
      { senderId: 'AcmeChat', originationNumber: '+14155550100', maxPrice: '0.50' },
      {
        ...TRANSACTIONAL,
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'AcmeChat' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+14155550100' },
        'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
      },
    ],
  ])('attributes with %s', (_name, options, expected) => {
    expect(buildSms(sms('sms-one-on-one'), options).messageAttributes).toEqual(expected);
  });

  it('normalises line endings and trims', () => {
    expect(buildSms(sms('sms-group', (data) => (data.smsContent = '  Line one\r\nLine two\rLine three \n')), {}).message).toBe(
      'Line one\nLine two\nLine three',
    );
  });

  it.each([
    ['ASCII', 'a'.repeat(2000)],
    ['emoji, never cut in half', '😀'.repeat(1000)],
  ])('cuts %s text to the SNS publish limit with an ellipsis', (_name, text) => {
    const { message, truncated } = buildSms(sms('sms-one-on-one', (data) => (data.smsContent = text)), {});
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(SMS_MAX_BYTES);
    expect(Buffer.byteLength(message)).toBeGreaterThan(SMS_MAX_BYTES - 8);
    expect(message.endsWith('…')).toBe(true);
    expect(message.slice(0, -1).replaceAll(text.slice(0, 2) === '😀' ? '😀' : 'a', '')).toBe('');
  });

  it('leaves a text of exactly the limit alone', () => {
    const text = 'a'.repeat(SMS_MAX_BYTES);
    expect(buildSms(sms('sms-one-on-one', (data) => (data.smsContent = text)), {})).toMatchObject({ message: text, truncated: false });
  });
});

describe('normaliseE164', () => {
  it.each([
    ['the seed sample', '+919299334134', '+919299334134'],
    ['spaces', '+44 20 7946 0958', '+442079460958'],
    ['dashes', '+1-415-555-0123', '+14155550123'],
    ['dots', '+33.1.23.45.67.89', '+33123456789'],
    ['parentheses', '+1 (415) 555-0123', '+14155550123'],
    ['surrounding white space and tabs', ' \t+14155550123\n', '+14155550123'],
    ['no-break and thin spaces', '+49\u00a030\u202f1234567', '+49301234567'],
    ['Unicode dashes', '+1\u2013415\u2010555\u22120123', '+14155550123'],
    ['invisible direction marks copied along', '\u200e+14155550123\u200f', '+14155550123'],
    ['the shortest real numbers (7 digits)', '+683 4002', '+6834002'],
    ['the longest allowed (15 digits)', '+123456789012345', '+123456789012345'],
  ])('accepts %s', (_name, raw, expected) => {
    expect(normaliseE164(raw)).toBe(expected);
  });

  it.each([
    ['a national number without +', '4155550123'],
    ['an 00 international prefix', '00442079460958'],
    ['a country code starting with 0', '+0442079460958'],
    ['too short', '+123456'],
    ['too long (16 digits)', '+1234567890123456'],
    ['letters', '+1 415 CALL NOW'],
    ['an extension', '+14155550123 x12'],
    ['two plus signs', '++14155550123'],
    ['a plus in the middle', '1+4155550123'],
    ['slashes', '+1/415/555/0123'],
    ['empty', ''],
    ['only a plus', '+'],
    ['full-width digits', '+１４１５５５５０１２３'],
  ])('refuses %s', (_name, raw) => {
    expect(normaliseE164(raw)).toBeUndefined();
  });
});
