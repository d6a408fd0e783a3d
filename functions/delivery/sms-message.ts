import type { SmsPayload } from '../shared/schemas/sms.ts';
import { byteLength, truncateToBytes } from './push-payloads.ts';

export type SmsAttributes = Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;

export interface SmsOptions {
  /** Alphanumeric sender id, where the destination country supports one. */
  readonly senderId?: string | undefined;
  /** An origination number (E.164) owned in AWS End User Messaging SMS. */
  readonly originationNumber?: string | undefined;
  /** The most, in USD, one message may cost; SNS does not send a message that would cost more. */
  readonly maxPrice?: string | undefined;
}

export interface SmsMessage {
  readonly message: string;
  readonly messageAttributes: SmsAttributes;
  /** True when the text was shortened to SNS's per-publish limit. */
  readonly truncated: boolean;
}

/** SNS refuses an SMS publish of more than 1600 bytes; it splits shorter texts into parts itself. */
export const SMS_MAX_BYTES = 1600;

/**
 * The SNS SMS publish for a CometChat SMS payload: CometChat's `smsContent` as the text, always
 * Transactional (a chat notification is time-critical, and Promotional may be dropped or delayed
 * for numbers on do-not-disturb lists), and the sender settings only when they are configured.
 */
export const buildSms = (payload: SmsPayload, options: SmsOptions = {}): SmsMessage => {
  const text = payload.data.smsContent.replace(/\r\n?/g, '\n').trim();
  const message = truncateToBytes(text, SMS_MAX_BYTES);

  const messageAttributes: SmsAttributes = {
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
  };
  const senderId = configured(options.senderId);
  if (senderId) messageAttributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: senderId };
  const originationNumber = configured(options.originationNumber);
  if (originationNumber) messageAttributes['AWS.MM.SMS.OriginationNumber'] = { DataType: 'String', StringValue: originationNumber };
  const maxPrice = configured(options.maxPrice);
  if (maxPrice) messageAttributes['AWS.SNS.SMS.MaxPrice'] = { DataType: 'Number', StringValue: maxPrice };

  return { message, messageAttributes, truncated: byteLength(message) !== byteLength(text) };
};

const configured = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** What people type between digits: spaces (any kind), dashes, dots, parentheses, and invisible marks copied along. */
const PHONE_DECORATION = /[\s\u00a0\u2000-\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\-\u2010-\u2015\u2212.()]/g;

/**
 * A plus, a country code that does not start with 0, and 7 to 15 digits in all: E.164 allows 15,
 * and the shortest real numbers (Niue, Tokelau) have 7.
 */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The number in E.164 (`+14155550123`) once the usual formatting is removed, or undefined when it
 * is not one. A national number (no `+`) or an `00` prefix is refused rather than guessed at: the
 * country it belongs to is not known here.
 */
export const normaliseE164 = (raw: string): string | undefined => {
  const compact = raw.replace(PHONE_DECORATION, '');
  return E164.test(compact) ? compact : undefined;
};
