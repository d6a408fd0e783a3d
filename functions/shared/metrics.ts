import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { OutcomeKind } from '../delivery/outcome.ts';
import type { Channel } from './channels.ts';
import type { ErrorCode } from './errors.ts';
import {
  type FeedbackKind,
  type FeedbackResult,
  METRIC_DIMENSIONS as D,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricRoute,
} from './metric-names.ts';
import { SERVICE_NAME } from './powertools.ts';

/**
 * What the relay counts (metric-names.ts has the names, docs/operations.md
 * what they mean). A port, so handlers are tested on what they count without
 * parsing EMF, and the Lambda and the local stack share one implementation.
 */
export interface RelayMetrics {
  /** A webhook or directory request answered: accepted, or refused with its error code; webhooks also give how long it took. */
  request(route: MetricRoute, result: 'accepted' | ErrorCode, durationMs?: number): void;
  /** One delivery outcome; `reason` is kept for `skipped` only. */
  delivery(channel: Channel, outcome: OutcomeKind, reason?: string): void;
  /** From CometChat's `sentAt` to the provider's acceptance. */
  deliveryLatency(channel: Channel, latencyMs: number): void;
  /** One feedback event handled (SES bounce or complaint, push endpoint event). */
  feedback(kind: FeedbackKind, result: FeedbackResult): void;
  /** A before_message policy evaluation threw and the message was let through. */
  policyError(): void;
  /** A before_message decision (drop, inject, pass). */
  decision(kind: string): void;
}

type Dimensions = Readonly<Record<string, string>>;
type Value = readonly [name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number];

/**
 * The Metrics instance for the current settings. Powertools reads its
 * environment (namespace, service, POWERTOOLS_METRICS_DISABLED) on
 * construction, and constructing one per record costs more than an ingest
 * request can spare; so one is kept per combination of those settings (a test
 * or the local stack may change them at run time).
 */
let cached: { readonly key: string; readonly metrics: Metrics | undefined } | undefined;
const metricsForEnvironment = (): Metrics | undefined => {
  const { POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV } = process.env;
  const key = [POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV].join('|');
  if (cached?.key !== key) {
    // Powertools' own rule: POWERTOOLS_METRICS_DISABLED when set, else POWERTOOLS_DEV. Checked here too so that a
    // disabled relay skips building the record, not only printing it.
    const disabled = POWERTOOLS_METRICS_DISABLED !== undefined ? isTruthy(POWERTOOLS_METRICS_DISABLED) : isTruthy(POWERTOOLS_DEV);
    cached = {
      key,
      metrics: disabled
        ? undefined
        : new Metrics({
            namespace: POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
            serviceName: POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
          }),
    };
  }
  return cached.metrics;
};

const isTruthy = (value: string | undefined): boolean => ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase());

/**
 * Writes one EMF record now: nothing to flush at the end of an invocation (a
 * crashed one loses nothing counted). The instance is shared, which is safe
 * because adding and publishing happen in one synchronous step: no other
 * record of a batch, nor another request of the local stack, can interleave.
 *
 * The local stack sets POWERTOOLS_METRICS_DISABLED (bin/local.ts) so that EMF
 * records do not flood the terminal; Powertools then prints nothing.
 */
const emit = (dimensions: Dimensions, values: readonly Value[]): void => {
  const metrics = metricsForEnvironment();
  if (!metrics) return;
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
};

/** Milliseconds with two decimals: enough for percentiles, short in the record. */
const ms = (value: number): number => Math.round(Math.max(0, value) * 100) / 100;

/** The EMF implementation: Lambda functions and the local stack both use it. */
export const emfMetrics: RelayMetrics = {
  request(route, result, durationMs) {
    const duration: Value[] =
      durationMs === undefined ? [] : [[METRIC_NAMES.ingestDuration, MetricUnit.Milliseconds, ms(durationMs)]];
    if (result === 'accepted') {
      emit({ [D.route]: route }, [[METRIC_NAMES.requestsAccepted, MetricUnit.Count, 1], ...duration]);
      return;
    }
    emit({ [D.route]: route, [D.error]: result }, [[METRIC_NAMES.requestsRejected, MetricUnit.Count, 1]]);
    if (duration.length > 0) emit({ [D.route]: route }, duration);
  },

  delivery(channel, outcome, reason) {
    const dimensions = { [D.channel]: channel, [D.outcome]: outcome };
    const count: Value[] = [[METRIC_NAMES.deliveries, MetricUnit.Count, 1]];
    emit(dimensions, count);
    // A second record rather than a second dimension set in one: Powertools warns on sets that share keys.
    if (outcome === 'skipped' && reason) emit({ ...dimensions, [D.reason]: reason }, count);
  },

  deliveryLatency(channel, latencyMs) {
    emit({ [D.channel]: channel }, [[METRIC_NAMES.deliveryLatency, MetricUnit.Milliseconds, ms(latencyMs)]]);
  },

  feedback(kind, result) {
    emit({ [D.feedback]: kind, [D.result]: result }, [[METRIC_NAMES.feedbackEvents, MetricUnit.Count, 1]]);
  },

  policyError() {
    emit({}, [[METRIC_NAMES.policyErrors, MetricUnit.Count, 1]]);
  },

  decision(kind) {
    emit({ [D.decision]: kind }, [[METRIC_NAMES.beforeMessageDecisions, MetricUnit.Count, 1]]);
  },
};

/** Counts nothing: for unit tests of handlers that are not about metrics. */
export const noMetrics: RelayMetrics = {
  request: () => {},
  delivery: () => {},
  deliveryLatency: () => {},
  feedback: () => {},
  policyError: () => {},
  decision: () => {},
};

/**
 * Calls a metrics method without letting it fail the caller: a counting
 * problem must never turn an answered request or a delivered message into an
 * error (it would be retried and sent twice).
 */
export const safely = (count: () => void): void => {
  try {
    count();
  } catch {
    // Nothing to do: the log line of the outcome is already written.
  }
};
