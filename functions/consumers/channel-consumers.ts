import { type EmailDeliveryPorts, deliverEmail } from '../delivery/deliver-email.ts';
import { type PushDeliveryPorts, deliverPush } from '../delivery/deliver-push.ts';
import { type SmsDeliveryPorts, deliverSms } from '../delivery/deliver-sms.ts';
import { digestSentAt, pushSentAt } from '../delivery/sent-at.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import { pacedEmailSender, pacedPushSender, pacedSmsSender } from '../shared/paced-senders.ts';
import type { ThrottledRecords } from '../shared/ports/throttled-records.ts';
import { type SendPacer, unpaced } from '../shared/send-rate.ts';
import { EmailPayloadSchema } from '../shared/schemas/email.ts';
import { PushPayloadSchema } from '../shared/schemas/push.ts';
import { SmsPayloadSchema } from '../shared/schemas/sms.ts';
import { webhookRoute } from '../ingest/webhook-routes.ts';
import type { DeliveryChannel } from '../shared/channels.ts';
import type { DeadLetters } from '../shared/ports/dead-letters.ts';
import { createNotificationConsumer, type OutcomeListener } from './notification-consumer.ts';

/** What every consumer may be given besides its delivery ports. */
export interface ConsumerOptions {
  /** Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
  /** Hears every outcome after it is logged. Default: none. */
  readonly onOutcome?: OutcomeListener;
  /**
   * Validate what `ingest: "direct"` enqueued (records marked `ingest=direct`), parking refused payloads on the
   * channel's DLQ. Default: no such records are expected.
   */
  readonly directIngest?: { readonly deadLetters: DeadLetters; readonly appId?: string | undefined };
  /** Keeps the provider calls of this instance to its share of the channel's send rate (send-rate.ts). Default: none. */
  readonly pacer?: SendPacer;
  /** Where throttled records are put back for seconds (throttle-deferral.ts). */
  readonly throttledRecords?: ThrottledRecords;
}

const withMetrics = ({ metrics, onOutcome, throttledRecords }: ConsumerOptions) => ({
  ...(metrics ? { metrics } : {}),
  ...(onOutcome ? { onOutcome } : {}),
  ...(throttledRecords ? { throttledRecords } : {}),
});

const withDirectIngest = (channel: DeliveryChannel, { directIngest }: ConsumerOptions) =>
  directIngest ? { directIngest: { ...directIngest, route: webhookRoute(channel) } } : {};

/** The consumer of each channel, wired to its ports: the Lambda adapters and the local stack both build them here. */
export const createPushConsumer = (ports: PushDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'push',
    schema: PushPayloadSchema,
    deliver: deliverPush({ ...ports, sender: pacedPushSender(ports.sender, ports.pacer ?? unpaced) }),
    sentAtOf: pushSentAt,
    ...withMetrics(ports),
    ...withDirectIngest('push', ports),
  });

export const createSmsConsumer = (ports: SmsDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'sms',
    schema: SmsPayloadSchema,
    deliver: deliverSms({ ...ports, sender: pacedSmsSender(ports.sender, ports.pacer ?? unpaced) }),
    sentAtOf: digestSentAt,
    ...withMetrics(ports),
    ...withDirectIngest('sms', ports),
  });

export const createEmailConsumer = (ports: EmailDeliveryPorts & ConsumerOptions) =>
  createNotificationConsumer({
    channel: 'email',
    schema: EmailPayloadSchema,
    deliver: deliverEmail({ ...ports, sender: ports.sender && pacedEmailSender(ports.sender, ports.pacer ?? unpaced) }),
    sentAtOf: digestSentAt,
    ...withMetrics(ports),
    ...withDirectIngest('email', ports),
  });
