/**
 * The custom-provider channels CometChat calls, and what identifies each one.
 * Shared by the ingest handlers, the CDK stack and the local stack so that a
 * route, its trigger and its queue are named in exactly one place.
 */
export const CHANNELS = ['push', 'sms', 'email'] as const;

export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_TRIGGERS = {
  push: 'push-notification-payload-generated',
  sms: 'sms-notification-payload-generated',
  email: 'email-notification-payload-generated',
} as const satisfies Record<Channel, string>;

export const CHANNEL_ROUTES = {
  push: '/cometchat/push',
  sms: '/cometchat/sms',
  email: '/cometchat/email',
} as const satisfies Record<Channel, string>;

export const isChannel = (value: unknown): value is Channel =>
  typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
