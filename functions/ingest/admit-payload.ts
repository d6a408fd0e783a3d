import { attributeBoundIssues } from '../shared/attribute-bounds.ts';
import { InvalidPayloadError, WrongAppError, WrongTriggerError, WrongWebhookError } from '../shared/errors.ts';
import { expectJsonObject, toPayloadIssues } from '../shared/webhook-request.ts';
import type { WebhookRoute } from './webhook-routes.ts';

/** A payload a route takes, with the message attributes it is labelled with. */
export interface AdmittedPayload {
  readonly payload: unknown;
  readonly trigger: string;
  readonly idempotencyKey: string;
  readonly correlationId?: string;
}

/**
 * Whether a parsed webhook body belongs on a route: its trigger, `webhook:
 * "custom"` where required, its schema, and the app id when one is enforced;
 * then the attributes the consumers route and deduplicate on. Ingest runs it
 * before enqueueing (`ingest: "lambda"`); with `ingest: "direct"` nothing runs
 * before the queue, and the consumer runs it on what API Gateway enqueued.
 * Throws the `HttpError` of the failing check.
 */
export const admitPayload = (route: WebhookRoute, body: unknown, appId: string | undefined): AdmittedPayload => {
  const { trigger, webhook } = expectJsonObject(body);
  if (!route.acceptsTrigger(trigger)) throw new WrongTriggerError(route.expectedTrigger, trigger);
  if (route.requiresCustomWebhook && webhook !== 'custom') throw new WrongWebhookError(webhook);
  const result = route.schema.safeParse(body);
  if (!result.success) throw new InvalidPayloadError(toPayloadIssues(result.error));
  // What becomes a message attribute or a log field must be something SQS, SNS and the logs take (attribute-bounds.ts).
  const outOfBounds = attributeBoundIssues(route.channel, result.data);
  if (outOfBounds.length > 0) throw new InvalidPayloadError(outOfBounds);
  if (appId && (result.data as { appId?: unknown }).appId !== appId) throw new WrongAppError();
  return { payload: result.data, ...route.describe(result.data) };
};
