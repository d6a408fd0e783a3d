/**
 * HTTP timeouts for every AWS call made while CometChat waits for an answer
 * (SQS on ingest, Secrets Manager on ingest and before_message), sized for its
 * 2-second budget: a connection that does not open in 300 ms or a request that
 * does not answer in 500 ms fails and is retried, and the caller's overall
 * deadline caps the rest. Without `throwOnRequestTimeout` the handler only
 * warns when a request runs over, and the attempt would wait out the deadline.
 * A module of its own so that importing it pulls in no SDK client.
 */
export const WEBHOOK_HTTP_TIMEOUTS = { connectionTimeout: 300, requestTimeout: 500, throwOnRequestTimeout: true } as const;
