// zod/mini: these schemas are on the ingest path, where zod's classic API would be most of the bundle.
import * as z from 'zod/mini';

/**
 * CometChat's message object, included when "Include message object" is on.
 * Kept loose: the relay only ever reads its id, and CometChat adds fields.
 */
export const MessageObjectSchema = z.looseObject({
  id: z.optional(z.union([z.string(), z.number()])),
});

/** Epoch time as CometChat sends it: a string in the samples, a number in places. */
export const EpochSchema = z.union([z.string().check(z.regex(/^\d+$/, 'expected digits')), z.int().check(z.nonnegative())]);

export const UidSchema = z.string().check(z.trim(), z.minLength(1, 'must be a non-empty uid'), z.maxLength(256));

/** The envelope every custom-provider webhook shares. */
export const providerEnvelope = <Trigger extends string, Data extends z.ZodMiniType>(trigger: Trigger, data: Data) =>
  z.looseObject({
    trigger: z.literal(trigger),
    data,
    appId: z.string().check(z.minLength(1, 'must be the CometChat app id')),
    region: z.optional(z.string()),
    webhook: z.literal('custom'),
  });

const SenderSchema = z.looseObject({
  uid: UidSchema,
  name: z.optional(z.string()),
  avatar: z.optional(z.string()),
});

/** One unread message in an SMS or email payload (`data.messages[]`). */
export const DigestMessageSchema = z.looseObject({
  sender: SenderSchema,
  message: z.string(),
  messageObject: z.optional(MessageObjectSchema),
});

export const SenderDetailsSchema = z.looseObject({
  uid: UidSchema,
  name: z.optional(z.string()),
  avatar: z.optional(z.string()),
});

export const GroupDetailsSchema = z.looseObject({
  guid: z.string().check(z.minLength(1)),
  name: z.optional(z.string()),
  icon: z.optional(z.string()),
});
