import * as z from 'zod';
import type { PayloadIssue } from '../shared/errors.ts';
import { canonicalUid, PLATFORMS } from '../shared/ports/directory.ts';

/**
 * What the directory API accepts. CometChat documents uids as up to 100
 * letters, digits, "_" and "-", and lowercases them when it creates a user;
 * older apps also use "." and "@" (an email as uid), so those are accepted too.
 * The uid is stored lowercased so that it matches what webhooks carry.
 */
const UID = /^[A-Za-z0-9_.@-]{1,100}$/;
/** Chosen by the app (an installation id, a hash of the CometChat auth token): safe in a URL path and a DynamoDB key. */
const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** FCM tokens are `[A-Za-z0-9_:-]`, APNs tokens hex: printable ASCII without spaces covers both and refuses pasted junk. */
const DEVICE_TOKEN = /^[\x21-\x7E]+$/;
const E164 = /^\+[1-9]\d{7,14}$/;

const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a string (${what})`) });

export const uidSchema = requiredString('a CometChat uid')
  .regex(UID, { error: 'must be 1-100 letters, digits, "_", "-", "." or "@" (a CometChat uid)' })
  // "." and ".." would be rewritten by any HTTP client as path navigation.
  .refine((uid) => !/^\.+$/.test(uid), { error: 'must not consist of dots only' })
  .transform(canonicalUid);

export const deviceIdSchema = requiredString('a device id').regex(DEVICE_ID, {
  error: 'must be 1-128 letters, digits, ".", "_", ":" or "-"',
});

export const platformSchema = z.enum(PLATFORMS, {
  error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${PLATFORMS.join(', ')}`),
});

export const deviceTokenSchema = requiredString('the push token')
  .min(1, { error: 'must not be empty' })
  .max(4096, { error: 'must be at most 4096 characters' })
  .regex(DEVICE_TOKEN, { error: 'must be printable ASCII without spaces' });

export const phoneSchema = requiredString('an E.164 number')
  .trim()
  .regex(E164, { error: 'must be an E.164 number such as +14155550123 (a "+", the country code, no spaces)' });

export const emailSchema = requiredString('an email address')
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'must be an email address' }));

export const DevicePathSchema = z.object({ uid: uidSchema, deviceId: deviceIdSchema });
export const UserPathSchema = z.object({ uid: uidSchema });

/** Unknown fields are refused: a misspelt field would otherwise be silently ignored. */
export const DeviceRegistrationSchema = z.strictObject({ platform: platformSchema, token: deviceTokenSchema });
export type DeviceRegistration = z.output<typeof DeviceRegistrationSchema>;

/**
 * The whole contact (PUT replaces it: an omitted field is removed). Unknown
 * fields are refused because, with replace semantics, a misspelt "emial" would
 * silently erase the stored email.
 */
export const ContactDetailsSchema = z
  .strictObject({ phone: phoneSchema.optional(), email: emailSchema.optional() })
  .refine((contact) => contact.phone !== undefined || contact.email !== undefined, {
    error: 'give "phone", "email" or both; to remove both, DELETE /users/{uid}',
  });

/** `PLATFORM_APPLICATION_ARNS`: a JSON object of SNS platform application ARNs by platform, any subset (may be `{}`). */
export const PlatformApplicationArnsSchema = z.partialRecord(
  z.enum(PLATFORMS),
  z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:app\/[A-Z_]+\/[\w.-]+$/, { error: 'must be an SNS platform application ARN' }),
);

export const PlatformApplicationArnsJsonSchema = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON such as {"fcm":"arn:aws:sns:...:app/GCM/name"}' });
      return z.NEVER;
    }
  })
  .pipe(PlatformApplicationArnsSchema);

/** Zod issues as the `issues` of a 400 answer: the failing field's path and what is wrong, never the value. */
export const toRequestIssues = (error: z.ZodError): PayloadIssue[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
