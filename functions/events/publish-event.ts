import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliveryLedger } from '../shared/ports/delivery-ledger.ts';
import type { EventPublisher } from '../shared/ports/event-publisher.ts';
import { logger as sharedLogger, withLogContext } from '../shared/powertools.ts';
import { describeCause } from '../shared/webhook-request.ts';
import { EventInProgressError, EventPublishError, InvalidEventError } from './event-errors.ts';
import { eventCorrelationIdOf, eventIdempotencyKey } from './event-identity.ts';
import { type EventPayload, EventPayloadSchema } from './event-schema.ts';
import { eventAttributesOf, normaliseEvent } from './normalise-event.ts';

/** How one record ended (SPEC §4): published, skipped as a duplicate, left for a retry, or refused for good. */
export type EventOutcome =
  | { readonly outcome: 'sent' }
  | { readonly outcome: 'skipped'; readonly reason: 'duplicate' }
  | { readonly outcome: 'retry'; readonly reason: 'in_progress' | 'ledger_failed' | 'publish_failed' }
  | { readonly outcome: 'failed'; readonly reason: 'invalid_event' };

type EventLogger = Pick<typeof sharedLogger, 'info' | 'warn' | 'error'>;

export interface EventsConsumerOptions {
  readonly publisher: EventPublisher;
  readonly ledger: DeliveryLedger;
  readonly logger?: EventLogger;
  /** Hears every record's outcome (after it is logged): the Lambda counts them. */
  readonly onOutcome?: (outcome: EventOutcome) => void;
}

export type EventsConsumer = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * The events queue consumer: each record is validated, claimed in the delivery
 * ledger (so CometChat's retries and SQS redeliveries publish once), normalised
 * and published to the message-events topic. A record that fails is reported
 * in `batchItemFailures` and retried alone; the rest of its batch is done.
 */
export const createEventsConsumer = ({
  publisher,
  ledger,
  logger = sharedLogger,
  onOutcome,
}: EventsConsumerOptions): EventsConsumer => {
  const report = (outcome: EventOutcome, context: Record<string, unknown>) => {
    const fields = { channel: 'events', ...outcome, ...context };
    if (outcome.outcome === 'sent' || outcome.outcome === 'skipped') logger.info('event delivery', fields);
    else if (outcome.outcome === 'retry') logger.warn('event delivery', fields);
    else logger.error('event delivery', fields);
    try {
      onOutcome?.(outcome);
    } catch (error) {
      logger.warn('event outcome listener failed', { channel: 'events', cause: describeCause(error) });
    }
  };

  const publishRecord = async (record: SQSRecord): Promise<void> => {
    const recordContext = { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount };
    let payload: EventPayload;
    try {
      payload = parseEventBody(record.body);
    } catch (error) {
      report({ outcome: 'failed', reason: 'invalid_event' }, { ...recordContext, cause: describeCause(error) });
      throw error;
    }

    const idempotencyKey = record.messageAttributes?.idempotencyKey?.stringValue || eventIdempotencyKey(payload);
    const context = {
      ...recordContext,
      trigger: payload.trigger,
      idempotencyKey,
      correlationId: eventCorrelationIdOf(payload) ?? recordCorrelationId(record),
    };
    // One record per event and target (table-settings.ts): a new topic is a new target.
    const deliveryKey = `${idempotencyKey}#${publisher.target}`;

    let claim: Awaited<ReturnType<DeliveryLedger['claim']>>;
    try {
      claim = await ledger.claim(deliveryKey);
    } catch (error) {
      report({ outcome: 'retry', reason: 'ledger_failed' }, { ...context, cause: describeCause(error) });
      throw error;
    }
    if (claim === 'already_sent') {
      report({ outcome: 'skipped', reason: 'duplicate' }, context);
      return;
    }
    if (claim === 'in_progress') {
      report({ outcome: 'retry', reason: 'in_progress' }, context);
      throw new EventInProgressError();
    }

    let messageId: string;
    try {
      const event = normaliseEvent(payload, receivedAtOf(record));
      ({ messageId } = await publisher.publish({ message: JSON.stringify(event), attributes: eventAttributesOf(event) }));
    } catch (error) {
      await ledger.release(deliveryKey).catch((releaseError: unknown) => {
        // The claim's lease runs out on its own; the retry waits for it.
        logger.warn('event claim could not be released', { ...context, cause: describeCause(releaseError) });
      });
      report({ outcome: 'retry', reason: 'publish_failed' }, { ...context, cause: describeCause(error) });
      throw new EventPublishError('The event could not be published to the topic.', { cause: error });
    }

    try {
      await ledger.markSent(deliveryKey);
    } catch (error) {
      // Published already: failing the record now would publish it again. The claim's lease
      // expires instead, so only a later CometChat retry could repeat it (at least once, not lost).
      logger.error('event published but not recorded as sent', { ...context, cause: describeCause(error) });
    }
    report({ outcome: 'sent' }, { ...context, snsMessageId: messageId });
  };

  // Every line written while a record is handled carries its correlation id (set by ingest), whatever writes it.
  const publishRecordInContext = (record: SQSRecord): Promise<void> =>
    withLogContext({ correlationId: recordCorrelationId(record), messageId: record.messageId }, () => publishRecord(record));

  return async (event, context) =>
    processPartialResponse(event, publishRecordInContext, new BatchProcessor(EventType.SQS), {
      // A batch in which every record failed is still a partial response: each record retries and
      // reaches the DLQ on its own receive count, and a batch of poison messages is not a function error.
      throwOnFullBatchFailure: false,
      ...(context ? { context } : {}),
    });
};

/** The id ingest labelled the message with (the CometChat message id), else the queue's own. */
const recordCorrelationId = (record: SQSRecord): string =>
  record.messageAttributes?.correlationId?.stringValue || record.messageId;

/** The queued body, validated again: the queue is the boundary, and a redriven or hand-sent message may be anything. */
const parseEventBody = (body: string): EventPayload => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidEventError('The queued body is not JSON.');
  }
  const result = EventPayloadSchema.safeParse(json);
  if (!result.success) {
    const paths = result.error.issues.slice(0, 5).map((issue) => issue.path.join('.') || '(root)');
    throw new InvalidEventError(`The queued body is not a CometChat event (failing: ${paths.join(', ')}).`);
  }
  return result.data;
};

/** When ingest enqueued it: SQS's SentTimestamp (epoch ms). */
const receivedAtOf = (record: SQSRecord): { receivedAt?: string } => {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? { receivedAt: new Date(sent).toISOString() } : {};
};
