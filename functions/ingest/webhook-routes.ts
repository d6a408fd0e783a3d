import type * as z from 'zod';
import { CHANNEL_TRIGGERS, type Channel } from '../shared/channels.ts';
import { idempotencyKey } from '../shared/idempotency-key.ts';
import { type EmailPayload, EmailPayloadSchema } from '../shared/schemas/email.ts';
import { type PushPayload, PushPayloadSchema } from '../shared/schemas/push.ts';
import { type SmsPayload, SmsPayloadSchema } from '../shared/schemas/sms.ts';

/** What ingest needs to know about a route: which payloads it takes and how to label what it enqueues. */
export interface WebhookRoute<Payload = unknown> {
  readonly channel: Channel;
  /** The one trigger this route accepts. */
  readonly trigger: string;
  /** Custom-provider routes only accept `webhook: "custom"`. */
  readonly requiresCustomWebhook: boolean;
  readonly schema: z.ZodType<Payload>;
  /** Message attributes derived from a valid payload. */
  describe(payload: Payload): { readonly idempotencyKey: string; readonly correlationId?: string };
}

const lastMessageId = (payload: SmsPayload | EmailPayload): string | undefined => {
  const id = payload.data.messages.at(-1)?.messageObject?.id;
  return id === undefined ? undefined : String(id);
};

const push: WebhookRoute<PushPayload> = {
  channel: 'push',
  trigger: CHANNEL_TRIGGERS.push,
  requiresCustomWebhook: true,
  schema: PushPayloadSchema,
  describe: (payload) => {
    const tag = payload.data.notificationDetails.tag;
    return {
      idempotencyKey: idempotencyKey('push', payload),
      ...(tag === undefined ? {} : { correlationId: String(tag) }),
    };
  },
};

const sms: WebhookRoute<SmsPayload> = {
  channel: 'sms',
  trigger: CHANNEL_TRIGGERS.sms,
  requiresCustomWebhook: true,
  schema: SmsPayloadSchema,
  describe: (payload) => {
    const correlationId = lastMessageId(payload);
    return { idempotencyKey: idempotencyKey('sms', payload), ...(correlationId ? { correlationId } : {}) };
  },
};

const email: WebhookRoute<EmailPayload> = {
  channel: 'email',
  trigger: CHANNEL_TRIGGERS.email,
  requiresCustomWebhook: true,
  schema: EmailPayloadSchema,
  describe: (payload) => {
    const correlationId = lastMessageId(payload);
    return { idempotencyKey: idempotencyKey('email', payload), ...(correlationId ? { correlationId } : {}) };
  },
};

export const WEBHOOK_ROUTES: { readonly [C in Channel]: WebhookRoute<never> } = { push, sms, email } as never;

export const webhookRoute = (channel: Channel): WebhookRoute => WEBHOOK_ROUTES[channel] as WebhookRoute;
