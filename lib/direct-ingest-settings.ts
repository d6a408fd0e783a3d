import type { Channel } from '../functions/shared/channels.ts';

/**
 * What `ingest: "direct"` deploys and the local stack emulates alike (no CDK
 * import, so the local stack loads it cheaply): the attributes API Gateway's
 * SQS integration gives every message, and how long it caches an authorizer
 * answer per `Authorization` header.
 */
export const directMessageAttributes = (channel: Channel) => ({
  channel: { DataType: 'String', StringValue: channel },
  ingest: { DataType: 'String', StringValue: 'direct' },
});

/** A rotated-out pair keeps working for at most this long after it leaves the secret. */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;
