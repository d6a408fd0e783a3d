import type { EmailPayload } from '../shared/schemas/email.ts';
import type { PushPayload } from '../shared/schemas/push.ts';
import type { SmsPayload } from '../shared/schemas/sms.ts';

/**
 * When CometChat says the message behind a notification was sent, in epoch
 * milliseconds: the start of the delivery latency (docs/operations.md).
 * CometChat writes push `sentAt` in milliseconds and message objects' `sentAt`
 * in seconds; both are read by magnitude, so either unit works for either.
 */

/** Below this, an epoch value is in seconds (1e11 ms is 1973; 1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;

export const epochMillis = (value: unknown): number | undefined => {
  const number =
    typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(number) || number <= 0) return undefined;
  return number < SECONDS_LIMIT ? number * 1000 : number;
};

/** Push: `data.notificationDetails.sentAt`. */
export const pushSentAt = (payload: PushPayload): number | undefined => epochMillis(payload.data.notificationDetails.sentAt);

/** SMS and email: the newest `messages[].messageObject.sentAt` (the message that triggered this digest). */
export const digestSentAt = (payload: SmsPayload | EmailPayload): number | undefined => {
  const times = payload.data.messages
    .map((message) => epochMillis((message.messageObject as { sentAt?: unknown } | undefined)?.sentAt))
    .filter((time): time is number => time !== undefined);
  return times.length > 0 ? Math.max(...times) : undefined;
};
