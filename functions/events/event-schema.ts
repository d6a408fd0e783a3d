// zod/mini: the events route's schemas are on the ingest path (bundle size, cold start).
import * as z from 'zod/mini';
import { AfterMessagePayloadSchema, type AfterMessagePayload, SentMessageSchema } from '../policy/message-schema.ts';
import { CHANNEL_TRIGGERS } from '../shared/channels.ts';

/**
 * What the events route accepts (SPEC §1, §4): CometChat's legacy
 * `after_message` (`data` is the message) and the newer Webhooks events
 * (`data.message` for message events, other shapes for user, group, call,
 * receipt and reaction events). New triggers appear over time and CometChat
 * retries only twice, so an unknown trigger is accepted and passed on: refusing
 * it would lose the event for good.
 */

/** The legacy extension's event trigger: its `data` is the stored message. */
export const LEGACY_MESSAGE_TRIGGER = 'after_message';

/**
 * Triggers that belong to another route: a webhook pointed here by mistake is
 * refused (`wrong_trigger`) rather than fanned out to subscribers as an event.
 */
export const FOREIGN_TRIGGERS: ReadonlySet<string> = new Set([
  'before_message',
  CHANNEL_TRIGGERS.push,
  CHANNEL_TRIGGERS.sms,
  CHANNEL_TRIGGERS.email,
]);

/**
 * Newer Webhooks triggers documented to carry `data.message`. For these the
 * message must be valid: its id is the idempotency key CometChat documents.
 * Any other trigger may carry a message too; it is used when it is valid.
 */
export const MESSAGE_TRIGGERS: ReadonlySet<string> = new Set([
  'message_sent',
  'message_edited',
  'message_deleted',
  'user_mentioned',
]);

/** Whether the events route takes this trigger (checked before the schema, for the `wrong_trigger` answer). */
export const isEventTrigger = (trigger: unknown): trigger is string =>
  typeof trigger === 'string' && trigger !== '' && !FOREIGN_TRIGGERS.has(trigger);

const WebhooksTriggerSchema = z
  .string()
  .check(
    z.minLength(1, 'must be the CometChat webhook trigger'),
    z.refine((trigger) => !FOREIGN_TRIGGERS.has(trigger), 'belongs to another route, not to events'),
    z.refine((trigger) => trigger !== LEGACY_MESSAGE_TRIGGER, 'is the legacy envelope, parsed by its own schema'),
  );

/** The newer Webhooks envelope: `{trigger, data, appId, region, webhook}`; `data` is any JSON object. */
export const WebhooksEventPayloadSchema = z
  .looseObject({
    trigger: WebhooksTriggerSchema,
    data: z.record(z.string(), z.unknown(), { error: 'must be the event data object' }),
    appId: z.string().check(z.minLength(1, 'must be the CometChat app id')),
    region: z.optional(z.string()),
    /** The webhook id from CometChat's dashboard: part of the documented idempotency key. */
    webhook: z.string().check(z.minLength(1, 'must be the webhook id')),
  })
  .check(
    z.superRefine((payload, ctx) => {
      if (!MESSAGE_TRIGGERS.has(payload.trigger)) return;
      const result = SentMessageSchema.safeParse(payload.data.message);
      if (result.success) return;
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['data', 'message', ...issue.path], message: issue.message });
      }
    }),
  );

export type WebhooksEventPayload = z.infer<typeof WebhooksEventPayloadSchema>;
export type LegacyEventPayload = AfterMessagePayload;
export type EventPayload = LegacyEventPayload | WebhooksEventPayload;

/**
 * Both envelopes, told apart by trigger. Not a `z.union`: a failed union
 * reports one opaque issue, while CometChat (and whoever reads our 400) needs
 * the failing paths of the envelope the payload claims to be.
 */
export const EventPayloadSchema: z.ZodMiniType<EventPayload> = z.pipe(
  z.unknown(),
  z.transform((input, ctx): EventPayload => {
    const legacy =
      typeof input === 'object' && input !== null && (input as { trigger?: unknown }).trigger === LEGACY_MESSAGE_TRIGGER;
    const result = legacy ? AfterMessagePayloadSchema.safeParse(input) : WebhooksEventPayloadSchema.safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.issues.push({ code: 'custom', path: [...issue.path], message: issue.message, input });
    return z.NEVER;
  }),
);

export const isLegacyEvent = (payload: EventPayload): payload is LegacyEventPayload =>
  payload.trigger === LEGACY_MESSAGE_TRIGGER;
