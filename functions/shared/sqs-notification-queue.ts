import { type MessageAttributeValue, type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { UnavailableError } from './errors.ts';
import type { NotificationQueue, QueuedNotification } from './ports/notification-queue.ts';

export interface SqsNotificationQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Overall deadline for one enqueue, retries included, in ms. Default 1200: leaves room inside CometChat's 2 s. */
  readonly deadlineMs?: number;
}

export const sqsNotificationQueue = ({ client, queueUrl, deadlineMs = 1200 }: SqsNotificationQueueOptions): NotificationQueue => ({
  async enqueue({ body, attributes }: QueuedNotification) {
    try {
      const result = await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: toMessageAttributes(attributes) }),
        { abortSignal: AbortSignal.timeout(deadlineMs) },
      );
      if (!result.MessageId) throw new Error('SQS answered without a MessageId');
      return { id: result.MessageId };
    } catch (error) {
      throw new UnavailableError('The notification queue could not be written; nothing was accepted, retry later.', {
        cause: error,
      });
    }
  },
});

export const toMessageAttributes = (attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
