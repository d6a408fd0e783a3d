import * as z from 'zod';
import { EpochSchema } from '../shared/schemas/common.ts';

/**
 * CometChat's legacy message webhooks (`before_message`, `after_message`):
 * the envelope is `{trigger, data: <message>, appId, webhook}` (COMETCHAT.md).
 * Every object is loose because CometChat adds fields over time; only what the
 * relay reads is required.
 */

/** A user or group as CometChat embeds it in `data.entities`: uid for users, guid for groups. */
const EntitySchema = z.looseObject({
  uid: z.string().optional(),
  guid: z.string().optional(),
  name: z.string().optional(),
});

const EntityRefSchema = z.looseObject({
  entity: EntitySchema,
  entityType: z.string().optional(),
});

export const MessageDataSchema = z.looseObject({
  /** The text of `type: "text"` messages; absent on media, custom and most action messages. */
  text: z.string().optional(),
  entities: z
    .looseObject({
      sender: EntityRefSchema.optional(),
      receiver: EntityRefSchema.optional(),
    })
    .optional(),
});

export const MessageIdSchema = z.union([z.string().min(1), z.number().int().nonnegative()]);

const messageShape = {
  /** Absent on before_message: the message is not stored yet. */
  id: MessageIdSchema.optional(),
  conversationId: z.string().optional(),
  /** The sender's uid; CometChat always sends it, `data.entities.sender.entity.uid` stands in if not. */
  sender: z.string().min(1).optional(),
  receiver: z.string().min(1),
  receiverType: z.enum(['user', 'group']),
  /** `message`, `action`, `call`, `custom`, and whatever CometChat adds. */
  category: z.string().min(1),
  /** `text`, `image`, `video`, `audio`, `file`, a custom type... */
  type: z.string().min(1),
  // Not required: a message without `data` simply has no text, which is no reason to refuse it.
  data: MessageDataSchema.optional(),
  /** Epoch seconds. */
  sentAt: EpochSchema.optional(),
  updatedAt: EpochSchema.optional(),
} as const;

type MessageLike = { sender?: string | undefined; data?: z.infer<typeof MessageDataSchema> | undefined };

const hasSender = (message: MessageLike): boolean => senderUidOf(message) !== undefined;
const SENDER_REQUIRED = {
  message: 'the message has no sender: expected "sender" or "data.entities.sender.entity.uid"',
  path: ['sender'],
};

/** The message as sent to before_message and after_message. */
export const MessageSchema = z.looseObject(messageShape).refine(hasSender, SENDER_REQUIRED);

/** A stored message (after_message): it has an id. */
export const SentMessageSchema = z
  .looseObject({ ...messageShape, id: MessageIdSchema })
  .refine(hasSender, SENDER_REQUIRED);

const envelope = <Trigger extends string, Message extends z.ZodType>(trigger: Trigger, message: Message) =>
  z.looseObject({
    trigger: z.literal(trigger),
    data: message,
    appId: z.string().min(1, 'must be the CometChat app id'),
    /** The id of the webhook in CometChat's dashboard: the key of the metadata a before_message answer injects. */
    webhook: z.string().min(1, 'must be the webhook id'),
    region: z.string().optional(),
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
