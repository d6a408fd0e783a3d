import type * as z from 'zod/mini';
import { eventsRoute } from '../events/events-route.ts';
import { CHANNEL_TRIGGERS, type Channel } from '../shared/channels.ts';
import { idempotencyKey } from '../shared/idempotency-key.ts';
import { type EmailPayload, EmailPayloadSchema } from '../shared/schemas/email.ts';
import { type PushPayload, PushPayloadSchema } from '../shared/schemas/push.ts';
import { type SmsPayload, SmsPayloadSchema } from '../shared/schemas/sms.ts';

/** What ingest needs to know about a route: which payloads it takes and how to label what it enqueues. */
export interface WebhookRoute<Payload = unknown> {
  readonly channel: Channel;
  /** Whether the route takes a payload with this trigger (custom providers take exactly one). */
  acceptsTrigger(trigger: unknown): boolean;
  /** What the route takes, for the `wrong_trigger` message. */
  readonly expectedTrigger: string;
  /** Custom-provider routes only accept `webhook: "custom"`. */
  readonly requiresCustomWebhook: boolean;
  readonly schema: z.ZodMiniType<Payload>;
  /** Message attributes derived from a valid payload. */
  describe(payload: Payload): { readonly trigger: string; readonly idempotencyKey: string; readonly correlationId?: string };
}

const exactTrigger = (trigger: string) => ({
  acceptsTrigger: (candidate: unknown) => candidate === trigger,
  expectedTrigger: `"${trigger}"`,
});

const lastMessageId = (payload: SmsPayload | EmailPayload): string | undefined => {
  const id = payload.data.messages.at(-1)?.messageObject?.id;
  return id === undefined ? undefined : String(id);
};

const push: WebhookRoute<PushPayload> = {
  channel: 'push',
  ...exactTrigger(CHANNEL_TRIGGERS.push),
  requiresCustomWebhook: true,
  schema: PushPayloadSchema,
  describe: (payload) => {
    const tag = payload.data.notificationDetails.tag;
    return {
      trigger: payload.trigger,
      idempotencyKey: idempotencyKey('push', payload),
      ...(tag === undefined ? {} : { correlationId: String(tag) }),
    };
  },
};

const sms: WebhookRoute<SmsPayload> = {
  channel: 'sms',
  ...exactTrigger(CHANNEL_TRIGGERS.sms),
  requiresCustomWebhook: true,
  schema: SmsPayloadSchema,
  describe: (payload) => {
    const correlationId = lastMessageId(payload);
    return { trigger: payload.trigger, idempotencyKey: idempotencyKey('sms', payload), ...(correlationId ? { correlationId } : {}) };
  },
};

const email: WebhookRoute<EmailPayload> = {
  channel: 'email',
  ...exactTrigger(CHANNEL_TRIGGERS.email),
  requiresCustomWebhook: true,
  schema: EmailPayloadSchema,
  describe: (payload) => {
    const correlationId = lastMessageId(payload);
    return { trigger: payload.trigger, idempotencyKey: idempotencyKey('email', payload), ...(correlationId ? { correlationId } : {}) };
  },
};

/** Forgets a route's payload type so routes of every channel fit one table (each validates its own payload). */
const anyRoute = <Payload>(route: WebhookRoute<Payload>): WebhookRoute => route as unknown as WebhookRoute;

export const WEBHOOK_ROUTES: Readonly<Record<Channel, WebhookRoute>> = {
  push: anyRoute(push),
  sms: anyRoute(sms),
  email: anyRoute(email),
  events: anyRoute(eventsRoute),
};

export const webhookRoute = (channel: Channel): WebhookRoute => WEBHOOK_ROUTES[channel];
