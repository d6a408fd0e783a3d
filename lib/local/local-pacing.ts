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
export const localConsumerRates = (overrides: Partial<Record<DeliveryChannel, number>> = {}): Record<DeliveryChannel, number> => ({
  push: DEFAULT_SEND_RATES.push,
  ...localSendRatesFromEnv(),
  ...overrides,
});

export interface LocalConsumerLimits {
  readonly plan: SendRatePlan;
  readonly pacer: SendPacer;
  readonly throttledRecords: ThrottledRecords;
}

/**
 * What a deployed consumer gets from its environment (functions/consumers/send-limits.ts), for the local
 * stack: one poller per channel is one instance, so it takes the whole rate.
 */
export const localConsumerLimits = (sqs: SQSClient, queueUrl: string, ratePerSecond: number): LocalConsumerLimits => {
  const plan = planSendRate({ ratePerSecond, maxInstances: 1, minInstances: 1, timeoutSeconds: QUEUE_SETTINGS.consumerTimeoutSeconds });
  return { plan, pacer: createSendPacer(plan), throttledRecords: sqsThrottledRecords({ client: sqs, queueUrl }) };
};
