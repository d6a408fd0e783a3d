import * as z from 'zod/mini';
import { DigestMessageSchema, GroupDetailsSchema, SenderDetailsSchema, UidSchema, providerEnvelope } from './common.ts';

/** `email-notification-payload-generated`, one-on-one (`senderDetails`) or group (`groupDetails`), seed 003. */
export const EmailPayloadSchema = providerEnvelope(
  'email-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({
      uid: UidSchema,
      // Optional: CometChat sends it only when it stores an address; the directory is the fallback.
      email: z.optional(z.string()),
      name: z.optional(z.string()),
    }),
    messages: z.array(DigestMessageSchema).check(z.minLength(1, 'must hold at least one message')),
    senderDetails: z.optional(SenderDetailsSchema),
    groupDetails: z.optional(GroupDetailsSchema),
    subject: z.string().check(z.trim(), z.minLength(1, 'must hold the email subject')),
  }),
);

export type EmailPayload = z.infer<typeof EmailPayloadSchema>;
