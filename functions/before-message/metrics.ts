import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Decision } from '../policy/decide.ts';

/**
 * before_message metrics in EMF. Each one is emitted the moment it happens
 * (single metrics), so the handler needs no flush step and a frozen or
 * crashed invocation loses nothing already counted.
 */
export const METRICS_NAMESPACE = 'CometChatRelay';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/** `PolicyErrors`: evaluations that threw and were let through (fail open). Alarm on any. */
export const countPolicyError = (): void => {
  metrics.singleMetric().addMetric('PolicyErrors', MetricUnit.Count, 1);
};

/** `BeforeMessageDecisions` by `decision` (drop, inject, pass): how much the policy blocks. */
export const countDecision = (decision: Decision): void => {
  const single = metrics.singleMetric();
  single.addDimension('decision', decision.kind);
  single.addMetric('BeforeMessageDecisions', MetricUnit.Count, 1);
};
