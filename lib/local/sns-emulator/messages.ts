import { InvalidParameterError, ParameterValueInvalidError } from './errors.ts';
import type { Platform } from './model.ts';
import type { MessageAttributeInput } from './query.ts';

/** SNS caps a publish (message plus every attribute's name, type and value) at 256 KiB. */
const MAX_PUBLISH_BYTES = 262_144;

/**
 * Provider payload limits. SNS refuses a notification the provider would refuse, so the
 * emulator does too: a relay that only stays under 4 KB in production is caught locally.
 */
const MAX_PLATFORM_PAYLOAD_BYTES: Record<Platform, number> = {
  GCM: 4096,
  APNS: 4096,
  APNS_SANDBOX: 4096,
  APNS_VOIP: 5120,
  APNS_VOIP_SANDBOX: 5120,
};

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all (7 at least). */
const E164 = /^\+[1-9]\d{6,14}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
const SMS_TYPES = new Set(['Promotional', 'Transactional']);
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/;
const MAX_PRICE = /^\d+(\.\d+)?$/;

const byteLength = (value: string) => Buffer.byteLength(value, 'utf8');

export const isE164 = (phoneNumber: string): boolean => E164.test(phoneNumber);

export const assertPublishablePhoneNumber = (phoneNumber: string): void => {
  if (!isE164(phoneNumber)) {
    throw new InvalidParameterError(`Invalid parameter: PhoneNumber Reason: ${phoneNumber} is not valid to publish to`);
  }
};

/** Checks attributes the way SNS does and flattens them to name → value for the record. */
export const flattenMessageAttributes = (attributes: Readonly<Record<string, MessageAttributeInput>>): Record<string, string> => {
  const flat: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    flat[name] = attributeValue(name, attribute);
  }
  return flat;
};

const attributeValue = (name: string, { dataType, stringValue, binaryValue }: MessageAttributeInput): string => {
  if (!ATTRIBUTE_NAME.test(name) || byteLength(name) > 256) {
    throw new ParameterValueInvalidError(`Invalid message attribute name: ${name}`);
  }
  if (dataType === undefined || !ATTRIBUTE_TYPE.test(dataType)) {
    throw new ParameterValueInvalidError(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  const value = dataType.startsWith('Binary') ? binaryValue : stringValue;
  if (!value) {
    throw new ParameterValueInvalidError(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
    );
  }
  return value;
};

/** SMS settings that SNS validates when they are given per message. */
export const assertSmsAttributes = (attributes: Readonly<Record<string, string>>): void => {
  const smsType = attributes['AWS.SNS.SMS.SMSType'];
  if (smsType !== undefined && !SMS_TYPES.has(smsType)) {
    throw new InvalidParameterError(`Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.SMSType must be Promotional or Transactional, not ${smsType}`);
  }
  const senderId = attributes['AWS.SNS.SMS.SenderID'];
  if (senderId !== undefined && !SENDER_ID.test(senderId)) {
    throw new InvalidParameterError(
      'Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.SenderID must be 1 to 11 letters, digits or hyphens, with at least one letter',
    );
  }
  const originationNumber = attributes['AWS.MM.SMS.OriginationNumber'];
  if (originationNumber !== undefined && !isE164(originationNumber)) {
    throw new InvalidParameterError(`Invalid parameter: MessageAttributes Reason: AWS.MM.SMS.OriginationNumber ${originationNumber} is not E.164`);
  }
  const maxPrice = attributes['AWS.SNS.SMS.MaxPrice'];
  if (maxPrice !== undefined && !MAX_PRICE.test(maxPrice)) {
    throw new InvalidParameterError(`Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.MaxPrice ${maxPrice} is not a price`);
  }
};

export const assertPublishSize = (message: string, attributes: Readonly<Record<string, MessageAttributeInput>>): void => {
  let size = byteLength(message);
  for (const [name, { dataType, stringValue, binaryValue }] of Object.entries(attributes)) {
    size += byteLength(name) + byteLength(dataType ?? '') + byteLength(stringValue ?? binaryValue ?? '');
  }
  if (size > MAX_PUBLISH_BYTES) throw new InvalidParameterError('Invalid parameter: Message too long');
};

/**
 * With `MessageStructure: 'json'`, `Message` is an object of per-protocol strings and must have
 * a string `default`. Entries whose value is not a string are ignored, as SNS ignores them.
 * Returns undefined for a plain message.
 */
export const parseStructuredMessage = (message: string, structure: string | undefined): Record<string, string> | undefined => {
  if (structure === undefined) return undefined;
  if (structure !== 'json') {
    throw new InvalidParameterError(`Invalid parameter: MessageStructure Reason: ${structure} is not supported, only json`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw new InvalidParameterError('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidParameterError('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') entries[key] = value;
  }
  if (entries.default === undefined) {
    throw new InvalidParameterError('Invalid parameter: Message Structure - No default entry in JSON message body');
  }
  return entries;
};

/**
 * What a device on `platform` receives. A platform entry is the provider's own payload, so it
 * must be a JSON object within the provider's size limit; `default` is sent as plain text.
 */
export const pushPayloadFor = (platform: Platform, message: string, entries: Readonly<Record<string, string>> | undefined): string => {
  const platformEntry = entries?.[platform];
  const payload = platformEntry ?? entries?.default ?? message;
  if (platformEntry !== undefined && !isJsonObject(platformEntry)) {
    throw new InvalidParameterError(`Invalid parameter: Message Reason: Invalid notification for protocol ${platform}: Notification is malformed`);
  }
  if (byteLength(payload) > MAX_PLATFORM_PAYLOAD_BYTES[platform]) {
    throw new InvalidParameterError(`Invalid parameter: Message Reason: Invalid notification for protocol ${platform}: Notification is too long`);
  }
  return payload;
};

const isJsonObject = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};
