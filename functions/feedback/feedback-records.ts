import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, withLogContext } from '../shared/powertools.ts';
import { describeCause } from '../shared/webhook-request.ts';
import { InvalidFeedbackError } from './feedback-errors.ts';

/**
 * Parses a feedback record or fails it: an unreadable record is logged once
 * and thrown as `InvalidFeedbackError`, so it retries and then waits in the
 * DLQ for a person to look at.
 */
export const readFeedbackRecord = <Feedback>(
  record: SQSRecord,
  parse: (body: string) => Feedback,
  { logMessage, what }: { readonly logMessage: string; readonly what: string },
): Feedback => {
  try {
    return parse(record.body);
  } catch (error) {
    logger.error(logMessage, { result: 'failed', cause: describeCause(error), receiveCount: record.attributes?.ApproximateReceiveCount });
    throw error instanceof InvalidFeedbackError ? error : new InvalidFeedbackError(`The ${what} could not be read.`, { cause: error });
  }
};

/**
 * A feedback consumer's SQS handler: each record in its own log context (the
 * queue message id correlates its lines until the handler knows better) and
 * reported on its own as a batch item failure.
 */
export const feedbackBatchHandler =
  (handleRecord: (record: SQSRecord) => Promise<void>) =>
  async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(
      event,
      (record: SQSRecord) => withLogContext({ correlationId: record.messageId, messageId: record.messageId }, () => handleRecord(record)),
      new BatchProcessor(EventType.SQS),
      {
        // Each record retries and reaches the DLQ on its own receive count; a batch of poison messages is not a function error.
        throwOnFullBatchFailure: false,
        ...(context ? { context } : {}),
      },
    );
