import { type SentMessage, SentMessageSchema, messageTextOf, senderUidOf } from '../policy/message-schema.ts';
import { eventIdempotencyKey, recordOf } from './event-identity.ts';
import { type EventPayload, isLegacyEvent } from './event-schema.ts';

/**
 * The one shape subscribers of the message-events topic receive, whatever
 * envelope CometChat used (docs/events.md). Pure: no clock, no I/O.
 */
export interface MessageEvent {
  /** Format of this document; a change subscribers would notice gets a new version. */
  readonly version: 1;
  /** Stable across CometChat's retries of the same event (the relay's idempotency key): subscribers can dedupe on it. */
  readonly eventId: string;
  readonly trigger: string;
  readonly appId: string;
  readonly region?: string;
  /** The id of the CometChat webhook that sent it. */
  readonly webhook: string;
  /** When the relay accepted the webhook (ISO 8601), when known. */
  readonly receivedAt?: string;
  /** The message the event is about, for message events (legacy `data`, newer `data.message`). */
  readonly message?: NormalisedMessage;
  /** CometChat's `data` as sent, for events without a message (reactions, receipts, user, group, call events); with a message, whatever `data` holds besides it, if anything. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Set when the event was too large for SNS and the bulky parts (text, metadata, attachments, data) were left out. */
  readonly truncated?: true;
}

export interface NormalisedMessage {
  readonly id: string;
  readonly conversationId?: string;
  /** Sender uid. */
  readonly sender: string;
  /** uid or guid. */
  readonly receiver: string;
  readonly receiverType: 'user' | 'group';
  /** `message`, `action`, `call`, `custom`, ... */
  readonly category: string;
  /** `text`, `image`, ..., or `message` / `groupMember` for actions. */
  readonly type: string;
  readonly text?: string;
  /** Epoch seconds. */
  readonly sentAt?: number;
  readonly updatedAt?: number;
  /** For action messages: what happened (`edited`, `deleted`, `joined`, ...). */
  readonly action?: string;
  /** For edits and deletes: the id of the affected message (`data.entities.on.entity.id`). */
  readonly target?: string;
  /** The message metadata, including what a before_message policy injected (`@injected`). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Media attachments as CometChat describes them (url, name, mimeType, extension, size). */
  readonly attachments?: readonly unknown[];
}

export interface NormaliseOptions {
  /** When the relay accepted the webhook (ISO 8601); the consumer takes it from the SQS message. */
  readonly receivedAt?: string;
}

/** SNS refuses messages over 256 KiB (attributes included): leave room for the attributes. */
export const MAX_EVENT_BYTES = 256 * 1024 - 4 * 1024;

export const normaliseEvent = (payload: EventPayload, options: NormaliseOptions = {}): MessageEvent => {
  const { message, rest } = splitMessage(payload);
  const event: MessageEvent = {
    version: 1,
    eventId: eventIdempotencyKey(payload),
    trigger: payload.trigger,
    appId: payload.appId,
    ...(payload.region ? { region: payload.region } : {}),
    webhook: payload.webhook,
    ...(options.receivedAt ? { receivedAt: options.receivedAt } : {}),
    ...(message ? { message: normaliseMessage(message) } : {}),
    ...(rest && Object.keys(rest).length > 0 ? { data: rest } : {}),
  };
  return fitForSns(event);
};

/**
 * SNS message attributes subscribers filter on (`trigger`, `receiverType`,
 * `category`, `type`), only those the event has: SNS refuses empty values, and
 * an absent attribute is what a filter policy expects for "not applicable".
 */
export const eventAttributesOf = (event: MessageEvent): Record<string, string> => {
  const attributes: Record<string, string> = { trigger: event.trigger };
  const { message } = event;
  if (message) {
    attributes.receiverType = message.receiverType;
    attributes.category = message.category;
    attributes.type = message.type;
  }
  return attributes;
};

/** The message and what else `data` holds. Newer events carry a message under other triggers too: used when it is valid. */
const splitMessage = (
  payload: EventPayload,
): { message?: SentMessage; rest?: Record<string, unknown> } => {
  if (isLegacyEvent(payload)) return { message: payload.data };
  const { message, ...rest } = payload.data;
  if (message === undefined) return { rest };
  const parsed = SentMessageSchema.safeParse(message);
  return parsed.success ? { message: parsed.data, rest } : { rest: payload.data };
};

const normaliseMessage = (message: SentMessage): NormalisedMessage => {
  const data = recordOf(message.data);
  const text = messageTextOf(message);
  const action = message.category === 'action' ? data?.action : undefined;
  const target = recordOf(recordOf(recordOf(data?.entities)?.on)?.entity)?.id;
  const metadata = recordOf(data?.metadata);
  const attachments = data?.attachments;
  const sentAt = epochOf(message.sentAt);
  const updatedAt = epochOf(message.updatedAt);
  return {
    id: String(message.id),
    ...(message.conversationId ? { conversationId: message.conversationId } : {}),
    // The schema refuses a message without a sender, so one of the two is there.
    sender: senderUidOf(message) ?? '',
    receiver: message.receiver,
    receiverType: message.receiverType,
    category: message.category,
    type: message.type,
    ...(text !== undefined && text !== '' ? { text } : {}),
    ...(sentAt === undefined ? {} : { sentAt }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
    ...(typeof action === 'string' && action !== '' ? { action } : {}),
    ...((typeof target === 'string' && target !== '') || typeof target === 'number' ? { target: String(target) } : {}),
    ...(metadata ? { metadata } : {}),
    ...(Array.isArray(attachments) ? { attachments } : {}),
  };
};

/** CometChat sends epoch seconds as a number or a string of digits; subscribers get a number. */
const epochOf = (value: string | number | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

/**
 * Keeps the event publishable: past the SNS limit, the parts that make it large
 * go and `truncated` says so. What is left (ids, who, when, what kind) still
 * lets a subscriber fetch the full message from CometChat's API.
 */
const fitForSns = (event: MessageEvent): MessageEvent => {
  if (Buffer.byteLength(JSON.stringify(event), 'utf8') <= MAX_EVENT_BYTES) return event;
  const { data: _data, message, ...rest } = event;
  if (!message) return { ...rest, truncated: true };
  const { text: _text, metadata: _metadata, attachments: _attachments, ...slim } = message;
  return { ...rest, message: slim, truncated: true };
};
