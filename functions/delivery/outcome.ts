/**
 * How one delivery attempt ends (SPEC §4), and how an AWS error decides it.
 * Every attempt ends in exactly one outcome, which the consumer logs, counts and
 * maps to the SQS answer: only `retry` becomes a batch item failure.
 */

/** Why a notification was deliberately not sent. None of these is retried. */
export type SkipReason =
  /** Push: the recipient has no registered device that this notification goes to. */
  | 'no_device'
  /** SMS or email: no phone number or address in the payload nor in the directory. */
  | 'no_contact'
  /** SMS: the number opted out of SMS from this account (SNS `CheckIfPhoneNumberIsOptedOut`). */
  | 'opted_out'
  /** Email: SES reported a bounce or complaint for the address, so sending again would hurt the sender's reputation. */
  | 'undeliverable'
  /** The idempotency ledger says this recipient-notification was already sent (SQS redelivery or a CometChat retry). */
  | 'duplicate'
  /** The recipient cannot be delivered to as given: a phone number that is not E.164, or a push endpoint the provider disabled or forgot (the device is removed). */
  | 'invalid_recipient';

export const SKIP_REASONS = [
  'no_device',
  'no_contact',
  'opted_out',
  'undeliverable',
  'duplicate',
  'invalid_recipient',
] as const satisfies readonly SkipReason[];

export type DeliveryOutcome =
  | { readonly kind: 'sent'; readonly providerMessageId?: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason }
  /**
   * Transient: the SQS message is reported as a batch item failure and comes back after its visibility timeout.
   * `throttled`: the provider refused for its send rate only; the record comes back within seconds and never counts
   * towards the DLQ (throttle-deferral.ts).
   */
  | { readonly kind: 'retry'; readonly cause: string; readonly throttled?: true }
  /** Permanent: retrying cannot help. */
  | { readonly kind: 'failed'; readonly cause: string };

export type OutcomeKind = DeliveryOutcome['kind'];

export const sentOutcome = (providerMessageId?: string): DeliveryOutcome =>
  providerMessageId ? { kind: 'sent', providerMessageId } : { kind: 'sent' };

export const skippedOutcome = (reason: SkipReason): DeliveryOutcome => ({ kind: 'skipped', reason });

export const retryOutcome = (cause: string): DeliveryOutcome => ({ kind: 'retry', cause });

export const throttledOutcome = (cause: string): DeliveryOutcome => ({ kind: 'retry', cause, throttled: true });

export const failedOutcome = (cause: string): DeliveryOutcome => ({ kind: 'failed', cause });

/** Throttling, 5xx, timeouts: worth another try through SQS visibility. */
export class TransientDeliveryError extends Error {
  override readonly name = 'TransientDeliveryError';
}

/** Invalid recipient, rejected message, misconfiguration: another try would fail the same way. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

export type AwsErrorClass = 'transient' | 'permanent' | 'endpoint_gone';

/** The parts of an AWS SDK v3 error (or a Node network error) that classification reads. */
export interface AwsErrorLike {
  readonly name?: string;
  /** Node system errors (`ECONNRESET`, ...) carry their kind here. */
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

export interface ClassifyContext {
  /** The failed call targeted a push platform endpoint (SNS Publish with `TargetArn`). */
  readonly target?: 'endpoint';
}

/**
 * Error names without their `Exception` suffix: the SDK names modelled errors
 * `ThrottledException`, but an unmodelled one keeps the wire code (`Throttling`).
 */
const TRANSIENT_NAMES = new Set([
  // Throttling from SNS, SES v2, DynamoDB, KMS and the generic AWS code.
  'Throttling',
  'Throttled',
  'ThrottledRequest',
  'RequestThrottled',
  'TooManyRequests',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
  // SES v2 uses it for the sending rate and the daily quota: both pass with time.
  'LimitExceeded',
  'KMSThrottling',
  'SlowDown',
  'TransactionConflict',
  'ConcurrentAccess',
  // Server side and transport.
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceFailure',
  'RequestTimeout',
  'TimeoutError',
  'AbortError',
  'RequestAbortedError',
  'NetworkingError',
  // Lambda credentials refresh on their own.
  'ExpiredToken',
  'CredentialsProviderError',
  // SES account-wide states that AWS or the operator lifts: the message itself is fine, so it waits
  // in SQS and then the DLQ for a redrive instead of being dropped as undeliverable.
  'AccountSuspended',
  'SendingPaused',
]);

/** The provider refused for its request rate: nothing is wrong with the message, it only has to wait. */
const THROTTLING_NAMES = new Set(['Throttling', 'Throttled', 'ThrottledRequest', 'RequestThrottled', 'TooManyRequests', 'SlowDown']);

const PERMANENT_NAMES = new Set([
  'MessageRejected',
  // Misconfiguration: identical on every retry until someone fixes DNS or SES.
  'MailFromDomainNotVerified',
  'InvalidParameter',
  'InvalidParameterValue',
  'ParameterValueInvalid',
  'Validation',
  'ValidationError',
  'BadRequest',
  'NotFound',
  'ResourceNotFound',
  'AuthorizationError',
  'AccessDenied',
  'UnrecognizedClient',
  'InvalidSecurity',
  // The platform application (FCM key, APNs certificate) is disabled: every device of it fails, none is stale.
  'PlatformApplicationDisabled',
  'OptedOut',
  'KMSDisabled',
  'KMSAccessDenied',
  'KMSNotFound',
  'KMSInvalidState',
  'KMSOptInRequired',
  'ConditionalCheckFailed',
  'PermanentDeliveryError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** SNS says "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified" for a deleted endpoint. */
const MENTIONS_ENDPOINT = /endpoint|TargetArn/i;

const baseName = (name: string): string => name.replace(/Exception$/, '');

const stringField = (error: unknown, field: string): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const value: unknown = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
};

const httpStatusOf = (error: unknown): number | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata: unknown = (error as AwsErrorLike).$metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const status: unknown = (metadata as { httpStatusCode?: unknown }).httpStatusCode;
  return typeof status === 'number' ? status : undefined;
};

/** A throttling answer (by name, or HTTP 429), as SES v2 and SNS give it when the send rate is exceeded. */
export const isThrottlingError = (error: unknown): boolean =>
  THROTTLING_NAMES.has(baseName(stringField(error, 'name') ?? '')) || httpStatusOf(error) === 429;

/**
 * Decides whether a failed SNS, SES or DynamoDB call is worth retrying, or means
 * that the push endpoint is gone (so the device should be removed). Accepts
 * `unknown` because that is what a `catch` gives. Unknown errors are transient:
 * SQS retries them and the DLQ keeps them, whereas calling them permanent would
 * drop a notification on a bug we have not seen yet.
 */
export const classifyAwsError = (error: AwsErrorLike | unknown, context: ClassifyContext = {}): AwsErrorClass => {
  const name = baseName(stringField(error, 'name') ?? '');
  const code = stringField(error, 'code') ?? '';
  const message = stringField(error, 'message') ?? '';
  const status = httpStatusOf(error);

  if (name === 'TransientDeliveryError') return 'transient';
  if (name === 'EndpointDisabled') return 'endpoint_gone';
  if (name === 'NotFound' && (context.target === 'endpoint' || MENTIONS_ENDPOINT.test(message))) return 'endpoint_gone';
  if (name === 'InvalidParameter' && MENTIONS_ENDPOINT.test(message)) return 'endpoint_gone';

  if (TRANSIENT_NAMES.has(name) || NETWORK_CODES.has(code) || NETWORK_CODES.has(name)) return 'transient';
  if (PERMANENT_NAMES.has(name)) return 'permanent';
  if (typeof error === 'object' && error !== null && (error as AwsErrorLike).$retryable) return 'transient';

  if (status !== undefined) {
    if (status === 429 || status >= 500) return 'transient';
    if (status >= 400) return 'permanent';
  }
  return 'transient';
};

/**
 * A cause safe to log and to store in an outcome: the error's name and status,
 * never its message, which can quote a phone number, an address or a token.
 */
export const describeDeliveryError = (error: unknown): string => {
  const name = stringField(error, 'name') ?? (typeof error === 'object' && error !== null ? 'Error' : typeof error);
  const code = stringField(error, 'code');
  const status = httpStatusOf(error);
  return [name, code && code !== name ? code : undefined, status === undefined ? undefined : `HTTP ${status}`]
    .filter((part) => part !== undefined)
    .join(' ');
};

/**
 * The outcome of an attempt that threw. An endpoint that is gone is a skip
 * (`invalid_recipient`): the consumer removes the device, and nothing is retried.
 */
export const outcomeForError = (error: unknown, context: ClassifyContext = {}): DeliveryOutcome => {
  const cause = describeDeliveryError(error);
  switch (classifyAwsError(error, context)) {
    case 'transient':
      return retryOutcome(cause);
    case 'permanent':
      return failedOutcome(cause);
    case 'endpoint_gone':
      return skippedOutcome('invalid_recipient');
  }
};
