import * as z from 'zod';
import { DigestMessageSchema, GroupDetailsSchema, SenderDetailsSchema, UidSchema, providerEnvelope } from './common.ts';

/** `sms-notification-payload-generated`, one-on-one (`senderDetails`) or group (`groupDetails`), seeds 001 and 002. */
export const SmsPayloadSchema = providerEnvelope(
  'sms-notification-payload-generated',
  z.looseObject({
    to: z.looseObject({
      uid: UidSchema,
      // Optional: CometChat sends it only when it stores a number; the directory is the fallback.
      phno: z.string().optional(),
      name: z.string().optional(),
    }),
    messages: z.array(DigestMessageSchema).min(1, 'must hold at least one message'),
    senderDetails: SenderDetailsSchema.optional(),
    groupDetails: GroupDetailsSchema.optional(),
    smsContent: z.string().trim().min(1, 'must hold the SMS text'),
  }),
);

export type SmsPayload = z.infer<typeof SmsPayloadSchema>;
