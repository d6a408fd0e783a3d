/**
 * Every CloudWatch metric the relay emits (EMF through Powertools Metrics), by
 * name, with its dimensions: one list that the functions emit from and the CDK
 * stack builds alarms and the dashboard from (docs/operations.md describes
 * them). Plain constants, no Powertools import, so the CDK app can import this
 * file without pulling in function code.
 *
 * Every metric also carries the `service` dimension (POWERTOOLS_SERVICE_NAME,
 * `cometchat-relay`): Powertools adds it to each dimension set, and an alarm
 * must name it to find the metric.
 */

/** The namespace when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const METRICS_NAMESPACE = 'CometChatRelay';

/** The dimension Powertools adds to every metric; its value is the service name. */
export const SERVICE_DIMENSION = 'service';

export const METRIC_NAMES = {
  /**
   * A webhook or directory request answered 2xx. Dimensions: `route`.
   * Count.
   */
  requestsAccepted: 'RequestsAccepted',
  /**
   * A webhook or directory request refused. Dimensions: `route`, `error`
   * (the JSON error code of SPEC §3: `unauthorized`, `invalid_payload`, ...,
   * `unavailable` for every 503). Count.
   */
  requestsRejected: 'RequestsRejected',
  /**
   * How long a webhook handler took to answer, accepted or not (the budget is
   * CometChat's 2 s). Dimensions: `route` (webhook routes only). Milliseconds.
   */
  ingestDuration: 'IngestDuration',
  /**
   * One delivery attempt's outcome (SPEC §4). Two dimension sets on each
   * data point: `channel` + `outcome`, and for `skipped` also `channel` +
   * `outcome` + `reason`. Count.
   */
  deliveries: 'Deliveries',
  /**
   * From CometChat's `sentAt` (push: `notificationDetails.sentAt`; SMS and
   * email: the newest `messages[].messageObject.sentAt`; else when ingest
   * enqueued it) to the provider accepting the message. Dimensions: `channel`.
   * Milliseconds.
   */
  deliveryLatency: 'DeliveryLatency',
  /**
   * One SES or push feedback event handled. Dimensions: `feedback`, `result`.
   * Count.
   */
  feedbackEvents: 'FeedbackEvents',
  /** before_message policy evaluations that threw and were let through (fail open). No dimensions. Count. */
  policyErrors: 'PolicyErrors',
  /** before_message decisions. Dimensions: `decision`. Count. */
  beforeMessageDecisions: 'BeforeMessageDecisions',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Dimension names, as they appear in the EMF records and in CloudWatch. */
export const METRIC_DIMENSIONS = {
  route: 'route',
  error: 'error',
  channel: 'channel',
  outcome: 'outcome',
  reason: 'reason',
  feedback: 'feedback',
  result: 'result',
  decision: 'decision',
} as const;

/**
 * Values of `route`: the four ingest channels, before_message, and the
 * directory API as one route (its six paths share one function, and one
 * route keeps the number of metrics, which CloudWatch bills, small).
 */
export const METRIC_ROUTES = ['push', 'sms', 'email', 'events', 'before-message', 'directory'] as const;
export type MetricRoute = (typeof METRIC_ROUTES)[number];

/** The routes whose handler duration is measured (`IngestDuration`): the ones CometChat waits for. */
export const WEBHOOK_METRIC_ROUTES = ['push', 'sms', 'email', 'events', 'before-message'] as const;

/** Values of `outcome` (SPEC §4). */
export const DELIVERY_OUTCOMES = ['sent', 'skipped', 'retry', 'failed'] as const;

/** Values of `channel` on `Deliveries` and `DeliveryLatency`. */
export const METRIC_CHANNELS = ['push', 'sms', 'email', 'events'] as const;

/** Values of `feedback` on `FeedbackEvents`. */
export const FEEDBACK_KINDS = ['bounce', 'complaint', 'push_endpoint'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/**
 * Values of `result` on `FeedbackEvents`: `applied` (a contact marked, a
 * device removed), `stale` (nothing matched any more: the address or token
 * changed since), `ignored` (an event that needs nothing: a transient bounce,
 * an endpoint still enabled).
 */
export const FEEDBACK_RESULTS = ['applied', 'stale', 'ignored'] as const;
export type FeedbackResult = (typeof FEEDBACK_RESULTS)[number];
