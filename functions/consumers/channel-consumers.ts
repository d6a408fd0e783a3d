import { type EmailDeliveryPorts, deliverEmail } from '../delivery/deliver-email.ts';
import { type PushDeliveryPorts, deliverPush } from '../delivery/deliver-push.ts';
import { type SmsDeliveryPorts, deliverSms } from '../delivery/deliver-sms.ts';
import { digestSentAt, pushSentAt } from '../delivery/sent-at.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import { EmailPayloadSchema } from '../shared/schemas/email.ts';
import { PushPayloadSchema } from '../shared/schemas/push.ts';
import { SmsPayloadSchema } from '../shared/schemas/sms.ts';
import { createNotificationConsumer, type OutcomeListener } from './notification-consumer.ts';

/** What every consumer may be given besides its delivery ports. */
export interface ConsumerOptions {
  /** Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
  /** Hears every outcome after it is logged. Default: none. */
  readonly onOutcome?: OutcomeListener;
}

const withMetrics = ({ metrics, onOutcome }: ConsumerOptions) => ({ ...(metrics ? { metrics } : {}), ...(onOutcome ? { onOutcome } : {}) });

/** The consumer of each channel, wired to its ports: the Lambda adapters and the local stack both build them here. */
export const createPushConsumer = (ports: PushDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'push',
    schema: PushPayloadSchema,
    deliver: deliverPush(ports),
    sentAtOf: pushSentAt,
    ...withMetrics(ports),
  });

export const createSmsConsumer = (ports: SmsDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'sms',
    schema: SmsPayloadSchema,
    deliver: deliverSms(ports),
    sentAtOf: digestSentAt,
    ...withMetrics(ports),
  });

export const createEmailConsumer = (ports: EmailDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'email',
    schema: EmailPayloadSchema,
    deliver: deliverEmail(ports),
    sentAtOf: digestSentAt,
    ...withMetrics(ports),
  });
