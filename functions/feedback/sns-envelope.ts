import * as z from 'zod';
import { InvalidFeedbackError } from './feedback-errors.ts';

/**
 * What an SQS message from an SNS subscription holds: the SNS envelope
 * (`{"Type":"Notification","Message":"..."}`), or, with raw message delivery
 * switched on, the published message itself. Both are accepted, so the
 * subscription's setting is not a deployment trap.
 */
const SnsEnvelopeSchema = z.looseObject({
  Type: z.string(),
  MessageId: z.string().optional(),
  TopicArn: z.string().optional(),
  Message: z.string(),
  Timestamp: z.string().optional(),
});

export type SnsDelivery =
  | { readonly kind: 'message'; readonly message: string; readonly snsMessageId?: string }
  /** Subscription confirmations and the like: nothing to act on (SQS subscriptions confirm themselves). */
  | { readonly kind: 'control'; readonly type: string };

export const unwrapSnsDelivery = (body: string): SnsDelivery => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidFeedbackError('The queued body is not JSON (expected an SNS notification).');
  }
  const envelope = SnsEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'message', message: body };
  const { Type, Message, MessageId } = envelope.data;
  if (Type !== 'Notification') return { kind: 'control', type: Type };
  return { kind: 'message', message: Message, ...(MessageId ? { snsMessageId: MessageId } : {}) };
};

/** The published message as JSON, or undefined when it is plain text (SES sends a text test message to a new topic). */
export const parseJsonMessage = (message: string): unknown => {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
};
