// zod/mini: the events route's schemas are on the ingest path (bundle size, cold start).
import * as z from 'zod/mini';
import { EpochSchema } from '../shared/schemas/common.ts';

/**
 * CometChat's legacy message webhooks (`before_message`, `after_message`):
 * the envelope is `{trigger, data: <message>, appId, webhook}` (COMETCHAT.md).
 * Every object is loose because CometChat adds fields over time; only what the
 * relay reads is required.
 */

/** A user or group as CometChat embeds it in `data.entities`: uid for users, guid for groups. */
const EntitySchema = z.looseObject({
  uid: z.optional(z.string()),
  guid: z.optional(z.string()),
  name: z.optional(z.string()),
});

const EntityRefSchema = z.looseObject({
  entity: EntitySchema,
  entityType: z.optional(z.string()),
});

export const MessageDataSchema = z.looseObject({
  /** The text of `type: "text"` messages; absent on media, custom and most action messages. */
  text: z.optional(z.string()),
  entities: z.optional(
    z.looseObject({
      sender: z.optional(EntityRefSchema),
      receiver: z.optional(EntityRefSchema),
    }),
  ),
});

export const MessageIdSchema = z.union([z.string().check(z.minLength(1)), z.int().check(z.nonnegative())]);

const messageShape = {
  /** Absent on before_message: the message is not stored yet. */
  id: z.optional(MessageIdSchema),
  conversationId: z.optional(z.string()),
  /** The sender's uid; CometChat always sends it, `data.entities.sender.entity.uid` stands in if not. */
  sender: z.optional(z.string().check(z.minLength(1))),
  receiver: z.string().check(z.minLength(1)),
  receiverType: z.enum(['user', 'group']),
  /** `message`, `action`, `call`, `custom`, and whatever CometChat adds. */
  category: z.string().check(z.minLength(1)),
  /** `text`, `image`, `video`, `audio`, `file`, a custom type... */
  type: z.string().check(z.minLength(1)),
  // Not required: a message without `data` simply has no text, which is no reason to refuse it.
  data: z.optional(MessageDataSchema),
  /** Epoch seconds. */
  sentAt: z.optional(EpochSchema),
  updatedAt: z.optional(EpochSchema),
} as const;

type MessageLike = { sender?: string | undefined; data?: z.infer<typeof MessageDataSchema> | undefined };

const hasSender = (message: MessageLike): boolean => senderUidOf(message) !== undefined;
const SENDER_REQUIRED = {
  message: 'the message has no sender: expected "sender" or "data.entities.sender.entity.uid"',
  path: ['sender'],
};

/** The message as sent to before_message and after_message. */
export const MessageSchema = z.looseObject(messageShape).check(z.refine(hasSender, SENDER_REQUIRED));

/** A stored message (after_message): it has an id. */
export const SentMessageSchema = z.looseObject({ ...messageShape, id: MessageIdSchema }).check(z.refine(hasSender, SENDER_REQUIRED));

const envelope = <Trigger extends string, Message extends z.ZodMiniType>(trigger: Trigger, message: Message) =>
  z.looseObject({
    trigger: z.literal(trigger),
    data: message,
    appId: z.string().check(z.minLength(1, 'must be the CometChat app id')),
    /** The id of the webhook in CometChat's dashboard: the key of the metadata a before_message answer injects. */
    webhook: z.string().check(z.minLength(1, 'must be the webhook id')),
    region: z.optional(z.string()),
  });

export const BeforeMessagePayloadSchema = envelope('before_message', MessageSchema);
export const AfterMessagePayloadSchema = envelope('after_message', SentMessageSchema);
export const MessageWebhookPayloadSchema = z.discriminatedUnion('trigger', [
  BeforeMessagePayloadSchema,
  AfterMessagePayloadSchema,
]);

export type Message = z.infer<typeof MessageSchema>;
export type SentMessage = z.infer<typeof SentMessageSchema>;
export type MessageData = z.infer<typeof MessageDataSchema>;
export type BeforeMessagePayload = z.infer<typeof BeforeMessagePayloadSchema>;
export type AfterMessagePayload = z.infer<typeof AfterMessagePayloadSchema>;
export type MessageWebhookPayload = z.infer<typeof MessageWebhookPayloadSchema>;

/** The sender's uid: `sender`, else the sender entity's uid. */
export const senderUidOf = (message: MessageLike): string | undefined =>
  message.sender || message.data?.entities?.sender?.entity.uid || undefined;

/** The message text, when it has any (media, custom and action messages usually do not). */
export const messageTextOf = (message: { data?: { text?: string | undefined } | undefined }): string | undefined =>
  message.data?.text;
