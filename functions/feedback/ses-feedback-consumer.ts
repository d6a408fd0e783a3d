import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FeedbackResult } from '../shared/metric-names.ts';
import { emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import type { DirectoryAdmin } from '../shared/ports/directory.ts';
import { logger } from '../shared/powertools.ts';
import { describeCause } from '../shared/webhook-request.ts';
import { feedbackBatchHandler, readFeedbackRecord } from './feedback-records.ts';
import { parseSesFeedback, type SesFeedback } from './ses-feedback.ts';

export interface SesFeedbackConsumerOptions {
  /** Reads the contact and sets its mark: nothing else of the directory. */
  readonly directory: Pick<DirectoryAdmin, 'getContact' | 'markEmailUndeliverable'>;
  /** Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
  readonly now?: () => Date;
}

export type SesFeedbackConsumer = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** How one record ended, for its log line and its count. */
interface FeedbackOutcome {
  readonly result: FeedbackResult;
  readonly reason?: string;
}

/**
 * The SES feedback queue's consumer (SNS topic of the configuration set → SQS):
 * a permanent bounce or a complaint marks the contact's email undeliverable,
 * so later emails to it are skipped (deliver-email.ts). The contact is found
 * by the uid the email was tagged with, and marked only while its stored
 * address still is the one that bounced. A record whose directory write fails
 * is a batch item failure and comes back; one that is not SES feedback at all
 * ends in the DLQ.
 */
export const createSesFeedbackConsumer = ({
  directory,
  metrics = emfMetrics,
  now = () => new Date(),
}: SesFeedbackConsumerOptions): SesFeedbackConsumer => {
  const apply = async (feedback: SesFeedback): Promise<FeedbackOutcome> => {
    if (feedback.kind === 'ignored') return { result: 'ignored', reason: feedback.reason };
    if (!feedback.uid) return { result: 'ignored', reason: 'untagged_email' };
    const contact = await directory.getContact(feedback.uid);
    const stored = contact?.email;
    // SES reports the address as sent; the directory may hold it in another case.
    const bounced = stored ? feedback.recipients.some((address) => address.toLowerCase() === stored.toLowerCase()) : false;
    if (!stored || !bounced) return { result: 'stale', reason: contact ? 'address_changed' : 'no_contact' };
    const marked = await directory.markEmailUndeliverable(
      feedback.uid,
      stored,
      feedback.kind,
      feedback.at ?? now().toISOString(),
    );
    return marked ? { result: 'applied' } : { result: 'stale', reason: 'address_changed' };
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const feedback = readFeedbackRecord(record, parseSesFeedback, { logMessage: 'ses feedback', what: 'SES feedback' });
    const kind = feedback.kind === 'ignored' ? undefined : feedback.kind;
    // The SES message id finds the email in SES and correlates this line with it.
    const fields = {
      feedback: kind ?? 'other',
      ...(feedback.sesMessageId ? { correlationId: feedback.sesMessageId, sesMessageId: feedback.sesMessageId } : {}),
    };
    let outcome: FeedbackOutcome;
    try {
      outcome = await apply(feedback);
    } catch (error) {
      // The directory could not be read or written: retried through the queue.
      logger.warn('ses feedback', { ...fields, result: 'retry', cause: describeCause(error) });
      throw error;
    }
    // The address itself is never logged: the SES message id finds the email in SES.
    logger.info('ses feedback', { ...fields, result: outcome.result, ...(outcome.reason ? { reason: outcome.reason } : {}) });
    if (kind) safely(() => metrics.feedback(kind, outcome.result));
  };

  return feedbackBatchHandler(handleRecord);
};
