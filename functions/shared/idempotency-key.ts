import { createHash } from 'node:crypto';
import type { DeliveryChannel as Channel } from './channels.ts';
import type { EmailPayload } from './schemas/email.ts';
import type { PushPayload } from './schemas/push.ts';
import type { SmsPayload } from './schemas/sms.ts';

/**
 * What identifies one recipient-notification (SPEC §5), hashed so that the key
 * can be logged, stored and sent as a message attribute without carrying text.
 *
 * Push: an edit or delete reuses the original `tag`, so title, body, type,
 * callAction and sentAt are part of the identity and make it a new notification.
 * SMS and email: CometChat batches unread messages; the same batch is the same
 * notification, identified by the message ids or, without message objects, by
 * what the messages say and who said them.
 */
export const idempotencyKey = (
  ...[channel, payload]: [channel: 'push', payload: PushPayload] | [channel: 'sms' | 'email', payload: SmsPayload | EmailPayload]
): string => {
  if (channel === 'push') {
    const details = payload.data.notificationDetails;
    return keyOf(channel, [
      payload.appId,
      payload.data.to.uid,
      String(details.tag ?? ''),
      details.type,
      details.callAction ?? '',
      String(details.sentAt ?? ''),
      hash([details.title, details.body]),
    ]);
  }
  const { messages } = payload.data;
  const ids = messages.map((message) => message.messageObject?.id);
  const messagePart = ids.every((id) => id !== undefined)
    ? ids.map(String)
    : [hash(messages.map((message) => [message.sender.uid, message.message]))];
  return keyOf(channel, [payload.appId, payload.data.to.uid, ...messagePart]);
};

const keyOf = (channel: Channel, parts: readonly string[]): string => `${channel}:${hash(parts)}`;

const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
