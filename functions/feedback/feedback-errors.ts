/**
 * A queued feedback message that is not what SNS delivers from SES or from a
 * platform application. Thrown from the record handler, so the record is a
 * batch item failure: retried, then kept in the DLQ for a person to look at.
 */
export class InvalidFeedbackError extends Error {
  override readonly name = 'InvalidFeedbackError';
}
