import { type EmailDeliveryPorts, deliverEmail } from '../delivery/deliver-email.ts';
import { type PushDeliveryPorts, deliverPush } from '../delivery/deliver-push.ts';
import { type SmsDeliveryPorts, deliverSms } from '../delivery/deliver-sms.ts';
import { EmailPayloadSchema } from '../shared/schemas/email.ts';
import { PushPayloadSchema } from '../shared/schemas/push.ts';
import { SmsPayloadSchema } from '../shared/schemas/sms.ts';
import { createNotificationConsumer } from './notification-consumer.ts';

/** The consumer of each channel, wired to its ports: the Lambda adapters and the local stack both build them here. */
export const createPushConsumer = (ports: PushDeliveryPorts) =>
  createNotificationConsumer({ channel: 'push', schema: PushPayloadSchema, deliver: deliverPush(ports) });

export const createSmsConsumer = (ports: SmsDeliveryPorts) =>
  createNotificationConsumer({ channel: 'sms', schema: SmsPayloadSchema, deliver: deliverSms(ports) });

export const createEmailConsumer = (ports: EmailDeliveryPorts) =>
  createNotificationConsumer({ channel: 'email', schema: EmailPayloadSchema, deliver: deliverEmail(ports) });
