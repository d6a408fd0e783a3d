import * as z from 'zod';
import { EpochSchema, MessageObjectSchema, UidSchema, providerEnvelope } from './common.ts';

export const CALL_ACTIONS = ['initiated', 'cancelled', 'unanswered', 'ongoing', 'rejected', 'ended', 'busy'] as const;

/** `data.notificationDetails` of `push-notification-payload-generated` (seed 000 and COMETCHAT.md). */
export const NotificationDetailsSchema = z
  .looseObject({
    title: z.string(),
    body: z.string(),
    sender: z.string().optional(),
    senderName: z.string().optional(),
    senderAvatar: z.string().optional(),
    receiver: z.string().optional(),
    receiverName: z.string().optional(),
    receiverAvatar: z.string().optional(),
    receiverType: z.enum(['user', 'group']).optional(),
    tag: z.union([z.string(), z.number()]).optional(),
    conversationId: z.string().optional(),
    type: z.enum(['chat', 'call']),
    sentAt: EpochSchema.optional(),
    message: MessageObjectSchema.optional(),
    custom: z.record(z.string(), z.unknown()).optional(),
    unreadMessageCount: z.number().int().nonnegative().optional(),
    callAction: z.enum(CALL_ACTIONS).optional(),
    sessionId: z.string().optional(),
    callType: z.enum(['audio', 'video']).optional(),
  })
  .refine((details) => details.title.trim() !== '' || details.body.trim() !== '', {
    message: 'title and body are both empty: there is nothing to display',
    path: ['title'],
  })
  .refine((details) => details.type !== 'call' || details.callAction !== undefined, {
    message: 'a call notification needs callAction',
    path: ['callAction'],
  });

export const PushPayloadSchema = providerEnvelope(
  'push-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({ uid: UidSchema }),
    notificationDetails: NotificationDetailsSchema,
  }),
);

export type PushPayload = z.infer<typeof PushPayloadSchema>;
export type NotificationDetails = z.infer<typeof NotificationDetailsSchema>;
