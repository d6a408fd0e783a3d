import * as z from 'zod';

/** The push platforms the relay publishes to (SNS also has ADM, Baidu, MPNS and WNS; the relay does not use them). */
export const PLATFORMS = ['GCM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX'] as const;
export const platformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof platformSchema>;

export const platformApplicationSchema = z.object({
  arn: z.string(),
  name: z.string(),
  platform: platformSchema,
  /** As given, credentials included; they are never returned by the API, as in SNS. */
  attributes: z.record(z.string(), z.string()),
});
export type PlatformApplication = z.infer<typeof platformApplicationSchema>;

export const platformEndpointSchema = z.object({
  arn: z.string(),
  applicationArn: z.string(),
  platform: platformSchema,
  token: z.string(),
  enabled: z.boolean(),
  customUserData: z.string().optional(),
});
export type PlatformEndpoint = z.infer<typeof platformEndpointSchema>;

/** One message that would have left AWS: what the outbox and the tests read back. */
export const publishedMessageSchema = z.object({
  /** The `MessageId` returned to the publisher. */
  id: z.string(),
  kind: z.enum(['push', 'sms']),
  targetArn: z.string().optional(),
  platform: platformSchema.optional(),
  token: z.string().optional(),
  /** Push only: the endpoint's CustomUserData at publish time (the relay may keep the uid there). */
  customUserData: z.string().optional(),
  phoneNumber: z.string().optional(),
  /** `Message` exactly as published (the whole JSON document when `messageStructure` is `json`). */
  message: z.string(),
  messageStructure: z.string().optional(),
  /** What the device or phone receives: the platform's entry of a JSON message, else `default`, else `message`. */
  deliveredMessage: z.string(),
  subject: z.string().optional(),
  /** Attribute name → `StringValue` (or the base64 `BinaryValue`). */
  messageAttributes: z.record(z.string(), z.string()),
  /** ISO-8601 time of the publish. */
  at: z.string(),
  delivered: z.boolean(),
  /** SMS only: the number had opted out, so SNS accepted the publish but did not deliver it. */
  optedOut: z.boolean().optional(),
});
export type PublishedMessage = z.infer<typeof publishedMessageSchema>;

/** Everything the data file holds; `version` lets a later format refuse an older file clearly. */
export const stateSnapshotSchema = z.object({
  version: z.literal(1),
  applications: z.array(platformApplicationSchema),
  endpoints: z.array(platformEndpointSchema),
  optedOutPhoneNumbers: z.array(z.string()),
  published: z.array(publishedMessageSchema),
});
export type StateSnapshot = z.infer<typeof stateSnapshotSchema>;

export const emptySnapshot = (): StateSnapshot => ({
  version: 1,
  applications: [],
  endpoints: [],
  optedOutPhoneNumbers: [],
  published: [],
});
