import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { QUEUE_SETTINGS } from '../shared/queue-settings.ts';
import type { DeliveryChannel as Channel } from '../shared/channels.ts';
import { countPerBatch, emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import { logger, withLogContext } from '../shared/powertools.ts';
import type { DeliveryOutcome } from '../delivery/outcome.ts';
import { admitDirectRecord, type DirectIngestAdmission } from './direct-admission.ts';
import type { ThrottledRecords } from '../shared/ports/throttled-records.ts';
import { deferThrottled } from './throttle-deferral.ts';

/** What a delivery knows besides the payload: how SQS and ingest labelled it. */
export interface DeliveryContext {
  readonly idempotencyKey: string;
  readonly correlationId: string;
  readonly messageId: string;
  readonly receiveCount: number;
  /** When ingest enqueued it (SQS SentTimestamp, epoch ms), if known. */
  readonly enqueuedAt?: number;
}

/** One outcome per target (a push goes to each device of the user; SMS and email have one target). */
export interface TargetOutcome {
  /** Safe to log: a device id or the channel name, never an address or token. */
  readonly target: string;
  readonly outcome: DeliveryOutcome;
}

/** One outcome as it is logged: what an outcome listener hears (ids and reasons only, never addresses or text). */
export interface OutcomeRecord extends TargetOutcome {
  readonly channel: Channel;
  readonly correlationId: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

/** Hears every outcome after it is logged and counted (the local stack's activity feed listens here). */
export type OutcomeListener = (record: OutcomeRecord) => void;

export type Deliver<Payload> = (payload: Payload, context: DeliveryContext) => Promise<readonly TargetOutcome[]>;

export interface NotificationConsumerOptions<Payload> {
  readonly channel: Channel;
  readonly schema: z.ZodMiniType<Payload>;
  readonly deliver: Deliver<Payload>;
  /** When CometChat says the notification's message was sent (epoch ms), for the delivery latency; else the enqueue time is used. */
  readonly sentAtOf?: (payload: Payload) => number | undefined;
  /** Where outcomes and latencies are counted. Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
  /** Hears every outcome; a listener that throws changes nothing. Default: none. */
  readonly onOutcome?: OutcomeListener;
  readonly now?: () => number;
  /**
   * With `ingest: "direct"`, API Gateway enqueues webhooks unchecked: records marked `ingest=direct` are
   * validated here as ingest would have (default: such records are read like any other).
   */
  readonly directIngest?: DirectIngestAdmission;
  /**
   * Where a record that only the provider's rate held back is put back for a few seconds (throttle-deferral.ts).
   * Absent: it comes back after the visibility timeout like any retry, and counts towards the DLQ.
   */
  readonly throttledRecords?: ThrottledRecords;
}

/** The queued body is not a payload of this channel: retried, then kept in the DLQ for a person to look at. */
export class UnreadableNotificationError extends Error {
  override readonly name = 'UnreadableNotificationError';
}

/** Some target must be tried again: the record is reported as a batch item failure. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * An SQS consumer for one channel: Powertools batch processing reports each
 * failed record as a batch item failure, so one bad message never holds back
 * the rest of its batch; it comes back after its visibility timeout and
 * reaches the DLQ after maxReceiveCount receives.
 */
export const createNotificationConsumer = <Payload>({
  channel,
  schema,
  deliver,
  sentAtOf,
  metrics = emfMetrics,
  onOutcome,
  now = Date.now,
  directIngest,
  throttledRecords,
}: NotificationConsumerOptions<Payload>) => {
  const processor = new BatchProcessor(EventType.SQS);

  /** The one log line and the counts of one outcome. */
  const report = (context: DeliveryContext, target: TargetOutcome, sentAt: number | undefined): void => {
    logOutcome(channel, context, target);
    const { outcome } = target;
    safely(() => metrics.delivery(channel, outcome.kind, outcome.kind === 'skipped' ? outcome.reason : undefined));
    const since = sentAt ?? context.enqueuedAt;
    if (outcome.kind === 'sent' && since !== undefined) safely(() => metrics.deliveryLatency(channel, now() - since));
    if (onOutcome) {
      const { correlationId, messageId, receiveCount } = context;
      safely(() => onOutcome({ channel, ...target, correlationId, messageId, receiveCount }));
    }
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    let context = deliveryContext(record);
    const lastAttempt = context.receiveCount >= QUEUE_SETTINGS.maxReceiveCount;
    if (directIngest && record.messageAttributes.ingest?.stringValue === 'direct') {
      const admitted = await admitDirectRecord(directIngest, record, metrics);
      if (!admitted.ok) {
        report(context, { target: channel, outcome: { kind: 'failed', cause: admitted.cause } }, undefined);
        return;
      }
      context = { ...context, ...admitted.labels };
    }
    const payload = readPayload(schema, record, channel);
    if (!payload.ok) {
      report(context, { target: channel, outcome: { kind: lastAttempt ? 'failed' : 'retry', cause: payload.cause } }, undefined);
      throw new UnreadableNotificationError(payload.cause);
    }
    const outcomes = await deliver(payload.value, context);
    const sentAt = sentAtOf?.(payload.value);
    const retrying = outcomes.filter(({ outcome }) => outcome.kind === 'retry');
    // Only throttled: the provider's rate held it back, so it is put back for seconds and never counts towards the DLQ.
    const deferrable =
      throttledRecords !== undefined &&
      retrying.length > 0 &&
      retrying.every(({ outcome }) => outcome.kind === 'retry' && outcome.throttled);
    for (const outcome of outcomes) {
      const final =
        outcome.outcome.kind === 'retry' && lastAttempt && !deferrable
          ? { ...outcome, outcome: { kind: 'failed' as const, cause: outcome.outcome.cause } }
          : outcome;
      report(context, final, sentAt);
    }
    if (retrying.length === 0) return;
    if (deferrable) {
      try {
        // A copy was sent with a delay: the original is done, and SQS deletes it instead of counting one more receive.
        if ((await deferThrottled(throttledRecords, record, { maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount })) === 'requeued')
          return;
      } catch (error) {
        // SQS refused: the record comes back after its visibility timeout instead, as any retry does.
        logger.warn('throttled record could not be deferred', {
          channel,
          messageId: context.messageId,
          cause: describeError(error),
        });
      }
    }
    throw new RetryLaterError(`${retrying.length} of ${outcomes.length} targets will be retried`);
  };

  // Every line written while a record is handled carries its correlation id, whatever writes it. The SQS message id
  // is left to the lines that need it (logOutcome): on the context it would be on every outcome line.
  const handleRecordInContext = (record: SQSRecord): Promise<void> => {
    const { correlationId } = deliveryContext(record);
    return withLogContext({ correlationId }, () => handleRecord(record));
  };

  // One EMF record per dimension set and batch, not per record: the outcome lines stay one per delivery.
  return async (event: SQSEvent, lambdaContext: Context): Promise<SQSBatchResponse> =>
    countPerBatch(() =>
      processPartialResponse(event, handleRecordInContext, processor, { context: lambdaContext, throwOnFullBatchFailure: false }),
    );
};

const deliveryContext = (record: SQSRecord): DeliveryContext => {
  const enqueuedAt = Number(record.attributes.SentTimestamp);
  return {
    idempotencyKey: record.messageAttributes.idempotencyKey?.stringValue ?? `sqs:${record.messageId}`,
    correlationId: record.messageAttributes.correlationId?.stringValue ?? record.messageId,
    messageId: record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    ...(Number.isFinite(enqueuedAt) && enqueuedAt > 0 ? { enqueuedAt } : {}),
  };
};

const readPayload = <Payload>(
  schema: z.ZodMiniType<Payload>,
  record: SQSRecord,
  channel: Channel,
): { ok: true; value: Payload } | { ok: false; cause: string } => {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return { ok: false, cause: `queued body is not JSON (expected a ${channel} payload)` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const paths = result.error.issues.map((issue) => issue.path.join('.') || '(root)').slice(0, 5);
    return { ok: false, cause: `queued body is not a valid ${channel} payload at ${paths.join(', ')}` };
  }
  return { ok: true, value: result.data };
};

/**
 * One log line per outcome; only ids and reasons, never addresses, tokens or
 * text. Kept to what finds and explains a delivery (the correlation id, the
 * channel, the target, the outcome and its reason or cause): this line is
 * written for every notification, so each field is paid for a million times.
 * The SQS message id and receive count are on the lines that lead to the DLQ
 * (`retry`, `failed`) and on a redelivery's; a first delivery needs neither.
 */
const logOutcome = (channel: Channel, context: DeliveryContext, { target, outcome }: TargetOutcome): void => {
  const troubled = outcome.kind === 'retry' || outcome.kind === 'failed' || context.receiveCount > 1;
  const fields = {
    correlationId: context.correlationId,
    channel,
    target,
    outcome: outcome.kind,
    ...(outcome.kind === 'skipped' ? { reason: outcome.reason } : {}),
    ...(outcome.kind === 'retry' || outcome.kind === 'failed' ? { cause: outcome.cause } : {}),
    ...(troubled ? { messageId: context.messageId, receiveCount: context.receiveCount } : {}),
  };
  if (outcome.kind === 'failed') logger.error('delivery outcome', fields);
  else if (outcome.kind === 'retry') logger.warn('delivery outcome', fields);
  else logger.info('delivery outcome', fields);
};

const describeError = (error: unknown): string => (error instanceof Error ? error.name : typeof error);
