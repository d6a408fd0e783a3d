/**
 * Why an event record was not published. Each is thrown from the record
 * handler, so the record becomes a batch item failure: SQS redelivers it after
 * its visibility timeout and moves it to the DLQ after maxReceiveCount.
 */

/** The queued body is not an event this relay accepts. Permanent: it ends in the DLQ, where it can be inspected. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** Another worker holds a live claim on this event (a duplicate in flight). Transient: retried later. */
export class EventInProgressError extends Error {
  override readonly name = 'EventInProgressError';
  constructor() {
    super('Another delivery of this event is in progress; retrying after the visibility timeout.');
  }
}

/** Publishing to the topic failed. Transient as far as the consumer knows: retried, then the DLQ. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}
