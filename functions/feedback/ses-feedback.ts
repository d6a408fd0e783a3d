import * as z from 'zod';
import { uidFromEmailTags } from '../shared/ses-uid-tag.ts';
import { InvalidFeedbackError } from './feedback-errors.ts';
import { parseJsonMessage, unwrapSnsDelivery } from './sns-envelope.ts';

/**
 * SES feedback as the relay acts on it (SPEC §4: bounces and complaints mark
 * the contact undeliverable). SES publishes one event per message and event
 * type through the configuration set's SNS destination (`eventType`), or
 * through an identity's notification topic (`notificationType`); both read
 * the same. Pure: no I/O.
 */
export type SesFeedback =
  | {
      readonly kind: 'bounce' | 'complaint';
      /** From the message's `uid` tag; absent for an email the relay did not tag (sent before tagging, or by another sender). */
      readonly uid?: string;
      /** The addresses the event is about (the relay sends to one). */
      readonly recipients: readonly string[];
      /** When SES saw the bounce or complaint (ISO 8601). */
      readonly at?: string;
      /** SES's id of the email, to find it in SES. */
      readonly sesMessageId?: string;
    }
  | { readonly kind: 'ignored'; readonly reason: SesIgnoredReason; readonly sesMessageId?: string };

export type SesIgnoredReason =
  /** A soft bounce (mailbox full, message too large) or one SES could not classify: the address may work tomorrow. */
  | 'transient_bounce'
  /** The recipient said the email is not spam after all. */
  | 'not_spam'
  /** Send, Delivery, Open, Click, Reject, DeliveryDelay, ...: nothing to change in the directory. */
  | 'other_event'
  /** SNS's subscription messages and SES's plain-text test message. */
  | 'not_an_event';

const RecipientSchema = z.looseObject({ emailAddress: z.string().min(1) });

const SesEventSchema = z.looseObject({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z
    .looseObject({
      messageId: z.string().optional(),
      timestamp: z.string().optional(),
      tags: z.record(z.string(), z.array(z.string())).optional(),
    })
    .optional(),
  bounce: z
    .looseObject({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(RecipientSchema).min(1),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(RecipientSchema).min(1),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
});

/** SES quotes an address as it was in the header: `Name <a@example.com>` or the bare address. */
const bareAddress = (address: string): string => /<([^>]+)>/.exec(address)?.[1]?.trim() ?? address.trim();

/** Reads one SQS record body of the SES feedback queue. Throws `InvalidFeedbackError` for what cannot be SES feedback. */
export const parseSesFeedback = (body: string): SesFeedback => {
  const delivery = unwrapSnsDelivery(body);
  if (delivery.kind === 'control') return { kind: 'ignored', reason: 'not_an_event' };
  const json = parseJsonMessage(delivery.message);
  if (json === undefined) return { kind: 'ignored', reason: 'not_an_event' };
  const parsed = SesEventSchema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.') || '(root)');
    throw new InvalidFeedbackError(`The message is not an SES event (failing: ${paths.join(', ')}).`);
  }
  const event = parsed.data;
  const type = event.eventType ?? event.notificationType;
  const sesMessageId = event.mail?.messageId;
  const common = { ...(sesMessageId ? { sesMessageId } : {}) };
  const uid = uidFromEmailTags(event.mail?.tags);
  const tagged = uid ? { uid } : {};

  if (type === 'Bounce') {
    if (!event.bounce) throw new InvalidFeedbackError('A Bounce event without its "bounce" object.');
    if (event.bounce.bounceType !== 'Permanent') return { kind: 'ignored', reason: 'transient_bounce', ...common };
    return {
      kind: 'bounce',
      ...tagged,
      recipients: event.bounce.bouncedRecipients.map((recipient) => bareAddress(recipient.emailAddress)),
      ...timeOf(event.bounce.timestamp ?? event.mail?.timestamp),
      ...common,
    };
  }
  if (type === 'Complaint') {
    if (!event.complaint) throw new InvalidFeedbackError('A Complaint event without its "complaint" object.');
    if (event.complaint.complaintFeedbackType === 'not-spam') return { kind: 'ignored', reason: 'not_spam', ...common };
    return {
      kind: 'complaint',
      ...tagged,
      recipients: event.complaint.complainedRecipients.map((recipient) => bareAddress(recipient.emailAddress)),
      ...timeOf(event.complaint.timestamp ?? event.mail?.timestamp),
      ...common,
    };
  }
  return { kind: 'ignored', reason: type ? 'other_event' : 'not_an_event', ...common };
};

const timeOf = (value: string | undefined): { at?: string } => {
  if (!value) return {};
  const time = Date.parse(value);
  return Number.isNaN(time) ? {} : { at: new Date(time).toISOString() };
};
