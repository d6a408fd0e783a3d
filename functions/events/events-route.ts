import type { WebhookRoute } from '../ingest/webhook-routes.ts';
import { InvalidPayloadError } from '../shared/errors.ts';
import { eventCorrelationIdOf, eventIdempotencyKey } from './event-identity.ts';
import { type EventPayload, EventPayloadSchema, isEventTrigger } from './event-schema.ts';

/** The route CometChat's event webhooks (legacy after_message, newer Webhooks) are pointed at. */
export const EVENTS_PATH = '/cometchat/events';

/**
 * The events route for the ingest handler: any CometChat event trigger except
 * those of other routes, any webhook id (not only `custom`), enqueued with the
 * key that makes CometChat's retries one event.
 */
export const eventsRoute: WebhookRoute<EventPayload> = {
  channel: 'events',
  acceptsTrigger: isEventTrigger,
  expectedTrigger: '"after_message" or a CometChat Webhooks event (message_sent, message_edited, ...)',
  requiresCustomWebhook: false,
  schema: EventPayloadSchema,
  describe: (payload) => {
    let idempotencyKey: string;
    try {
      idempotencyKey = eventIdempotencyKey(payload);
    } catch (error) {
      // Only a pathologically nested extra field gets here (the canonical JSON recurses).
      if (error instanceof RangeError) throw new InvalidPayloadError([{ path: 'data', message: 'data is nested too deeply' }]);
      throw error;
    }
    const correlationId = eventCorrelationIdOf(payload);
    return { trigger: payload.trigger, idempotencyKey, ...(correlationId === undefined ? {} : { correlationId }) };
  },
};
