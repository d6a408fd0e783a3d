import type { Decision } from '../policy/decide.ts';
import { emfMetrics } from '../shared/metrics.ts';

export { METRICS_NAMESPACE } from '../shared/metric-names.ts';

/**
 * before_message metrics in EMF, through the shared metrics module: each one
 * is emitted the moment it happens, so the handler needs no flush step and a
 * frozen or crashed invocation loses nothing already counted.
 */

/** `PolicyErrors`: evaluations that threw and were let through (fail open). Alarm on any. */
export const countPolicyError = (): void => {
  emfMetrics.policyError();
};

/** `BeforeMessageDecisions` by `decision` (drop, inject, pass): how much the policy blocks. */
export const countDecision = (decision: Decision): void => {
  emfMetrics.decision(decision.kind);
};
