/**
 * The local stack's defaults, in a module of their own so that the scripts
 * (npm run send, npm run redrive) can read them without loading the stack.
 */
export const LOCAL_DEFAULTS = {
  port: 3000,
  webhookUsername: 'cometchat',
  webhookPassword: 'localpassword',
  adminToken: 'localadmintoken',
  senderEmail: 'notifications@cometchat-relay.local',
  resourcePrefix: 'cometchat-relay-local',
  maxBodyBytes: 256 * 1024,
  /** Seconds before a failed message comes back; the deployed queues wait 6 × the consumer timeout. */
  visibilityTimeoutSeconds: 5,
} as const;
