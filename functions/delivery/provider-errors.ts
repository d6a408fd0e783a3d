import {
  type ClassifyContext,
  type DeliveryOutcome,
  classifyAwsError,
  describeDeliveryError,
  isThrottlingError,
  retryOutcome,
  skippedOutcome,
  throttledOutcome,
} from './outcome.ts';

/**
 * Maps a provider error to an outcome. A recipient the provider will never
 * reach (disabled endpoint, unknown endpoint, invalid address) is skipped and
 * not retried. Everything else is retried: throttling and 5xx recover by
 * themselves, and a permanent error that is not about the recipient (a
 * missing permission, an unverified sender) ends in the DLQ after
 * maxReceiveCount, to be redriven once fixed, rather than being dropped.
 */
export const outcomeOfProviderError = (error: unknown, context: ClassifyContext = {}): DeliveryOutcome => {
  const kind = classifyAwsError(error, context);
  if (kind === 'endpoint_gone') return skippedOutcome('invalid_recipient');
  // Throttling is the provider's rate, not the message: it comes back within seconds and never reaches the DLQ.
  if (isThrottlingError(error)) return throttledOutcome(`throttled: ${describeDeliveryError(error)}`);
  return retryOutcome(`${kind}: ${describeDeliveryError(error)}`);
};
