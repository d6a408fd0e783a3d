/**
 * The feedback loops (SES bounces and complaints, SNS push endpoint events)
 * and their queues' physical names, shared by the local stack, the redrive
 * script and the CDK stack, as lib/queue-settings.ts names the channel queues:
 * `<prefix>-<source>-feedback` and `<prefix>-<source>-feedback-dlq`.
 */
export const FEEDBACK_SOURCES = ['ses', 'push'] as const;
export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

export const feedbackQueueName = (prefix: string, source: FeedbackSource): string => `${prefix}-${source}-feedback`;
export const feedbackDeadLetterQueueName = (prefix: string, source: FeedbackSource): string =>
  `${feedbackQueueName(prefix, source)}-dlq`;
