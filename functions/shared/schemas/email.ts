import * as z from 'zod';
import { DigestMessageSchema, GroupDetailsSchema, SenderDetailsSchema, UidSchema, providerEnvelope } from './common.ts';

/** `email-notification-payload-generated`, one-on-one (`senderDetails`) or group (`groupDetails`), seed 003. */
export const EmailPayloadSchema = providerEnvelope(
  'email-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({
      uid: UidSchema,
      // Optional: CometChat sends it only when it stores an address; the directory is the fallback.
      email: z.string().optional(),
      name: z.string().optional(),
    }),
    messages: z.array(DigestMessageSchema).min(1, 'must hold at least one message'),
    senderDetails: SenderDetailsSchema.optional(),
    groupDetails: GroupDetailsSchema.optional(),
    subject: z.string().trim().min(1, 'must hold the email subject'),
  }),
);

export type EmailPayload = z.infer<typeof EmailPayloadSchema>;
