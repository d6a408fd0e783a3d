import * as z from 'zod/mini';
import { DigestMessageSchema, GroupDetailsSchema, SenderDetailsSchema, UidSchema, providerEnvelope } from './common.ts';

/** `sms-notification-payload-generated`, one-on-one (`senderDetails`) or group (`groupDetails`), seeds 001 and 002. */
export const SmsPayloadSchema = providerEnvelope(
  'sms-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({
      uid: UidSchema,
      // Optional: CometChat sends it only when it stores a number; the directory is the fallback.
      phno: z.optional(z.string()),
      name: z.optional(z.string()),
    }),
    messages: z.array(DigestMessageSchema).check(z.minLength(1, 'must hold at least one message')),
    senderDetails: z.optional(SenderDetailsSchema),
    groupDetails: z.optional(GroupDetailsSchema),
    smsContent: z.string().check(z.trim(), z.minLength(1, 'must hold the SMS text')),
  }),
);

export type SmsPayload = z.infer<typeof SmsPayloadSchema>;
