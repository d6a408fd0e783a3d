import { AsyncLocalStorage } from 'node:async_hooks';
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
 * Data points held for one dimension set until the batch that counted them
 * ends: counts are summed, other values (latencies) kept one by one, so that
 * percentiles stay exact.
 */
interface HeldDimensionSet {
  readonly dimensions: Dimensions;
  readonly counts: Map<string, number>;
  readonly samples: Map<string, { readonly unit: Value[1]; readonly values: number[] }>;
}

/** The data points of the batch being handled, by dimension set (absent outside `countPerBatch`). */
const heldPoints = new AsyncLocalStorage<Map<string, HeldDimensionSet>>();

/**
 * CloudWatch takes at most 100 values of one metric per EMF record, and Powertools publishes on its own when a metric
 * reaches 100 (leaving the rest of the record without its dimensions): 99 keeps every record whole.
 */
const MAX_VALUES_PER_RECORD = 99;

/**
 * Runs `work` (one SQS batch) with every data point it counts held back and
 * written when it ends, one EMF record per dimension set instead of one per
 * data point: a batch of 10 pushes writes two records (`Deliveries` 10, ten
 * `DeliveryLatency` values) where it wrote twenty. Written whether `work`
 * resolves or throws; an invocation that crashes mid-batch loses its counts
 * (its outcome lines are already written, and the records come back).
 * Concurrent batches (the local stack) each hold their own.
 */
export const countPerBatch = async <T>(work: () => Promise<T>): Promise<T> => {
  const held = new Map<string, HeldDimensionSet>();
  try {
    return await heldPoints.run(held, work);
  } finally {
    writeHeld(held);
  }
};

/**
 * Writes one EMF record now, or holds it for the end of the batch when called
 * inside `countPerBatch`. The instance is shared, which is safe because adding
 * and publishing happen in one synchronous step: no other record of a batch,
 * nor another request of the local stack, can interleave.
 *
 * The local stack sets POWERTOOLS_METRICS_DISABLED (bin/local.ts) so that EMF
 * records do not flood the terminal; Powertools then prints nothing.
 */
const emit = (dimensions: Dimensions, values: readonly Value[]): void => {
  const metrics = metricsForEnvironment();
  if (!metrics) return;
  const held = heldPoints.getStore();
  if (held) {
    hold(held, dimensions, values);
    return;
  }
  publish(metrics, dimensions, values);
};

const publish = (metrics: Metrics, dimensions: Dimensions, values: readonly Value[]): void => {
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
};

const hold = (held: Map<string, HeldDimensionSet>, dimensions: Dimensions, values: readonly Value[]): void => {
  const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
  let set = held.get(key);
  if (!set) {
    set = { dimensions, counts: new Map(), samples: new Map() };
    held.set(key, set);
  }
  for (const [name, unit, value] of values) {
    if (unit === MetricUnit.Count) set.counts.set(name, (set.counts.get(name) ?? 0) + value);
    else {
      const sample = set.samples.get(name) ?? { unit, values: [] };
      sample.values.push(value);
      set.samples.set(name, sample);
    }
  }
};

const writeHeld = (held: Map<string, HeldDimensionSet>): void => {
  const metrics = metricsForEnvironment();
  if (!metrics) return;
  for (const { dimensions, counts, samples } of held.values()) {
    const values: Value[] = [...counts].map(([name, count]) => [name, MetricUnit.Count, count]);
    const chunks: Value[][] = [values];
    for (const [name, { unit, values: points }] of samples) {
      for (let start = 0; start < points.length; start += MAX_VALUES_PER_RECORD) {
        const chunk = points.slice(start, start + MAX_VALUES_PER_RECORD).map((point): Value => [name, unit, point]);
        // The first values share the counts' record; more go into records of their own.
        if (start === 0) values.push(...chunk);
        else chunks.push(chunk);
      }
    }
    for (const chunk of chunks) safely(() => publish(metrics, dimensions, chunk));
  }
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
