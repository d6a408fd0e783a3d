import * as z from 'zod';

/**
 * CometChat's message object, included when "Include message object" is on.
 * Kept loose: the relay only ever reads its id, and CometChat adds fields.
 */
export const MessageObjectSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
});

/** Epoch time as CometChat sends it: a string in the samples, a number in places. */
export const EpochSchema = z.union([z.string().regex(/^\d+$/, 'expected digits'), z.number().int().nonnegative()]);

export const UidSchema = z.string().trim().min(1, 'must be a non-empty uid').max(256);

/** The envelope every custom-provider webhook shares. */
export const providerEnvelope = <Trigger extends string, Data extends z.ZodType>(trigger: Trigger, data: Data) =>
  z.looseObject({
    trigger: z.literal(trigger),
    data,
    appId: z.string().min(1, 'must be the CometChat app id'),
    region: z.string().optional(),
    webhook: z.literal('custom'),
  });

const SenderSchema = z.looseObject({
  uid: UidSchema,
  name: z.string().optional(),
  avatar: z.string().optional(),
});

/** One unread message in an SMS or email payload (`data.messages[]`). */
export const DigestMessageSchema = z.looseObject({
  sender: SenderSchema,
  message: z.string(),
  messageObject: MessageObjectSchema.optional(),
});

export const SenderDetailsSchema = z.looseObject({
  uid: UidSchema,
  name: z.string().optional(),
  avatar: z.string().optional(),
});

export const GroupDetailsSchema = z.looseObject({
  guid: z.string().min(1),
  name: z.string().optional(),
  icon: z.string().optional(),
});
