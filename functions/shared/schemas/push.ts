import * as z from 'zod/mini';
import { EpochSchema, MessageObjectSchema, UidSchema, providerEnvelope } from './common.ts';

export const CALL_ACTIONS = ['initiated', 'cancelled', 'unanswered', 'ongoing', 'rejected', 'ended', 'busy'] as const;

/** `data.notificationDetails` of `push-notification-payload-generated` (seed 000 and COMETCHAT.md). */
export const NotificationDetailsSchema = z
  .looseObject({
    title: z.string(),
    body: z.string(),
    sender: z.optional(z.string()),
    senderName: z.optional(z.string()),
    senderAvatar: z.optional(z.string()),
    receiver: z.optional(z.string()),
    receiverName: z.optional(z.string()),
    receiverAvatar: z.optional(z.string()),
    receiverType: z.optional(z.enum(['user', 'group'])),
    tag: z.optional(z.union([z.string(), z.number()])),
    conversationId: z.optional(z.string()),
    type: z.enum(['chat', 'call']),
    sentAt: z.optional(EpochSchema),
    message: z.optional(MessageObjectSchema),
    custom: z.optional(z.record(z.string(), z.unknown())),
    unreadMessageCount: z.optional(z.int().check(z.nonnegative())),
    callAction: z.optional(z.enum(CALL_ACTIONS)),
    sessionId: z.optional(z.string()),
    callType: z.optional(z.enum(['audio', 'video'])),
  })
  .check(
    z.refine((details) => details.title.trim() !== '' || details.body.trim() !== '', {
      message: 'title and body are both empty: there is nothing to display',
      path: ['title'],
    }),
    z.refine((details) => details.type !== 'call' || details.callAction !== undefined, {
      message: 'a call notification needs callAction',
      path: ['callAction'],
    }),
  );

export const PushPayloadSchema = providerEnvelope(
  'push-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({ uid: UidSchema }),
    notificationDetails: NotificationDetailsSchema,
  }),
);

export type PushPayload = z.infer<typeof PushPayloadSchema>;
export type NotificationDetails = z.infer<typeof NotificationDetailsSchema>;
