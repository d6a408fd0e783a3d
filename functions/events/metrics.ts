import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { EventOutcome } from './publish-event.ts';

/**
 * Events consumer metrics in EMF, emitted as they happen (single metrics) so
 * the handler needs no flush step.
 */
export const METRICS_NAMESPACE = 'CometChatRelay';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/** `Deliveries` by `channel` (events) and `outcome` (sent, skipped, retry, failed), as SPEC §4 counts every attempt. */
export const countEventOutcome = ({ outcome }: EventOutcome): void => {
  const single = metrics.singleMetric();
  single.addDimensions({ channel: 'events', outcome });
  single.addMetric('Deliveries', MetricUnit.Count, 1);
};
