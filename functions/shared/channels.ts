/**
 * The webhook channels CometChat calls, and what identifies each one. Shared
 * by the ingest handlers, the CDK stack and the local stack so that a route,
 * its queue and its consumer are named in exactly one place.
 *
 * A channel is a webhook route with its own queue: the three custom-provider
 * channels (one trigger each, delivered to a person) and `events` (CometChat's
 * after_message and newer Webhooks events, fanned out to an SNS topic).
 */
export const DELIVERY_CHANNELS = ['push', 'sms', 'email'] as const;
export const CHANNELS = [...DELIVERY_CHANNELS, 'events'] as const;

export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type Channel = (typeof CHANNELS)[number];

/** The one trigger each custom-provider route accepts. */
export const CHANNEL_TRIGGERS = {
  push: 'push-notification-payload-generated',
  sms: 'sms-notification-payload-generated',
  email: 'email-notification-payload-generated',
} as const satisfies Record<DeliveryChannel, string>;

export const CHANNEL_ROUTES = {
  push: '/cometchat/push',
  sms: '/cometchat/sms',
  email: '/cometchat/email',
  events: '/cometchat/events',
} as const satisfies Record<Channel, string>;

export const isChannel = (value: unknown): value is Channel =>
  typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);

export const isDeliveryChannel = (value: unknown): value is DeliveryChannel =>
  typeof value === 'string' && (DELIVERY_CHANNELS as readonly string[]).includes(value);
