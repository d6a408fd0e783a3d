import { emfMetrics, type RelayMetrics } from '../shared/metrics.ts';
import type { EventOutcome } from './publish-event.ts';

export { METRICS_NAMESPACE } from '../shared/metric-names.ts';

/**
 * `Deliveries` by `channel` (events) and `outcome` (sent, skipped, retry,
 * failed), as SPEC §4 counts every attempt; a skip (`duplicate`) is also
 * counted by `reason`. The events consumer's `onOutcome`.
 */
export const eventOutcomeCounter =
  (metrics: RelayMetrics = emfMetrics) =>
  (outcome: EventOutcome): void => {
    metrics.delivery('events', outcome.outcome, outcome.outcome === 'skipped' ? outcome.reason : undefined);
  };

/** Counted through the shared EMF metrics, emitted at once. */
export const countEventOutcome = eventOutcomeCounter();
