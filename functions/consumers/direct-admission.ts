import type { SQSRecord } from 'aws-lambda';
import { admitPayload } from '../ingest/admit-payload.ts';
import type { WebhookRoute } from '../ingest/webhook-routes.ts';
import { HttpError } from '../shared/errors.ts';
import { type RelayMetrics, safely } from '../shared/metrics.ts';
import type { DeadLetters } from '../shared/ports/dead-letters.ts';
import { parseWebhookJson } from '../shared/webhook-request.ts';

/** What a consumer needs to take over ingest's checks for `ingest: "direct"`. */
export interface DirectIngestAdmission {
  readonly route: WebhookRoute;
  /** The CometChat app id to enforce, as ingest does (`appId`). */
  readonly appId?: string | undefined;
  /** Where refused payloads are parked with their reason. */
  readonly deadLetters: DeadLetters;
}

export type DirectAdmission =
  | { readonly ok: true; readonly labels: { readonly idempotencyKey: string; readonly correlationId?: string } }
  | { readonly ok: false; readonly cause: string };

/**
 * A record API Gateway enqueued without a Lambda: CometChat was answered 200
 * already, so a payload ingest would have refused cannot be refused any more.
 * It is parked on the channel's DLQ at once with the reason ingest would have
 * answered (a `reason` attribute), and counted as that refusal
 * (`RequestsRejected` with its error code), instead of being retried to the
 * DLQ with no reason. An accepted one gets the labels ingest would have given
 * it (idempotency key, correlation id), so deduplication is the same in both
 * modes. A failure to park throws: the record comes back and is tried again.
 */
export const admitDirectRecord = async (
  { route, appId, deadLetters }: DirectIngestAdmission,
  record: SQSRecord,
  metrics: RelayMetrics,
): Promise<DirectAdmission> => {
  try {
    const { idempotencyKey, correlationId } = admitPayload(route, parseWebhookJson(record.body), appId);
    return { ok: true, labels: { idempotencyKey, ...(correlationId ? { correlationId } : {}) } };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const reason = `${error.code}: ${error.message}`;
    await deadLetters.park({
      body: record.body,
      reason,
      attributes: {
        ...Object.fromEntries(
          Object.entries(record.messageAttributes).flatMap(([name, value]) => (value.stringValue ? [[name, value.stringValue]] : [])),
        ),
        messageId: record.messageId,
      },
    });
    safely(() => metrics.request(route.channel, error.code));
    return { ok: false, cause: `refused by direct ingest, parked on the DLQ: ${reason}` };
  }
};
