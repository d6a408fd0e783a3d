import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryChannel } from '../../functions/shared/channels.ts';
import { createSendPacer, planSendRate, type SendRatePlan } from '../../functions/shared/send-rate.ts';
import { sqsThrottledRecords } from '../../functions/shared/sqs-throttled-records.ts';
import type { ThrottledRecords } from '../../functions/shared/ports/throttled-records.ts';
import type { SendPacer } from '../../functions/shared/send-rate.ts';
import { DEFAULT_SEND_RATES } from '../config.ts';
import { QUEUE_SETTINGS } from '../queue-settings.ts';
import { localSendRatesFromEnv } from './local-send-rates.ts';

/** The send rate each local consumer paces itself to: the emulators' (local-send-rates.ts), push as deployed. */
export const localConsumerRates = (
  overrides: Partial<Record<DeliveryChannel, number>> = {},
): Record<DeliveryChannel, number> => ({
  push: DEFAULT_SEND_RATES.push,
  ...localSendRatesFromEnv(),
  ...overrides,
});

export interface LocalConsumerLimits {
  readonly plan: SendRatePlan;
  /** One consumer instance's pacer (its share of the rate) and the throttled-records port of the queue. */
  instance(): { readonly pacer: SendPacer; readonly throttledRecords: ThrottledRecords };
}

/**
 * What a deployed consumer gets from its environment (functions/consumers/send-limits.ts), for the local
 * stack: `plan.instances` pollers each run one instance, paced to its share of the rate.
 */
export const localConsumerLimits = (
  sqs: SQSClient,
  queueUrl: string,
  ratePerSecond: number,
  { maxInstances, visibilityTimeoutSeconds }: { readonly maxInstances: number; readonly visibilityTimeoutSeconds: number },
): LocalConsumerLimits => {
  // The local queues' visibility timeout can be far shorter than the function timeout (tests use 1 s): a paced batch
  // must also end well within it, or its waiting records come back and are received a second time.
  const timeoutSeconds = Math.min(QUEUE_SETTINGS.consumerTimeoutSeconds, visibilityTimeoutSeconds);
  const plan = planSendRate({ ratePerSecond, maxInstances, minInstances: 1, timeoutSeconds });
  const throttledRecords = sqsThrottledRecords({ client: sqs, queueUrl });
  return { plan, instance: () => ({ pacer: createSendPacer(plan), throttledRecords }) };
};
