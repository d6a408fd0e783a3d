import { createHash } from 'node:crypto';
import { type EventPayload, isLegacyEvent } from './event-schema.ts';

/**
 * What identifies one CometChat event, so that CometChat's retries (after 10 s
 * and 30 s) and SQS redeliveries publish it once. CometChat documents the key
 * for message events as `webhook` + `trigger` + `data.message.id`; the legacy
 * `after_message` carries the id at `data.id`. Events without a message are
 * identified by their whole `data`, written canonically (keys sorted) so that a
 * retry serialised in another key order is still the same event. The app id
 * is part of the key too, so two apps sharing a relay (and a webhook id) never
 * collide.
 */
export const eventIdempotencyKey = (payload: EventPayload): string => {
  const messageId = eventMessageIdOf(payload);
  const identity = messageId === undefined ? ['data', canonicalJson(payload.data)] : ['message', messageId];
  return `events:${sha256(JSON.stringify([payload.appId, payload.webhook, payload.trigger, ...identity]))}`;
};

/** The id of the message the event is about: `data.id` (legacy) or `data.message.id` (newer Webhooks). */
export const eventMessageIdOf = (payload: EventPayload): string | undefined =>
  isLegacyEvent(payload) ? String(payload.data.id) : idOf(recordOf(payload.data.message)?.id);

/**
 * A message id to correlate logs with: the event's message, else the message a
 * reaction or receipt refers to (`data.reaction.messageId`, `data.body.messageId`).
 */
export const eventCorrelationIdOf = (payload: EventPayload): string | undefined =>
  eventMessageIdOf(payload) ??
  idOf(recordOf(payload.data.reaction)?.messageId) ??
  idOf(recordOf(payload.data.body)?.messageId);

/** The object at a key of a JSON value, if it is one. */
export const recordOf = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const idOf = (value: unknown): string | undefined =>
  (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))
    ? String(value)
    : undefined;

/**
 * JSON with object keys sorted at every level. Recursive: a payload nested
 * deeper than the stack allows throws a RangeError, which the route turns into
 * a 400 (ingest cannot enqueue such a payload either).
 */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
