import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ThrottledRecords } from './ports/throttled-records.ts';
import { toMessageAttributes } from './sqs-notification-queue.ts';

export interface SqsThrottledRecordsOptions {
  readonly client: SQSClient;
  /** The consumer's own queue (the event source's). */
  readonly queueUrl: string;
}

/** The throttled-records port on SQS: ChangeMessageVisibility on the received message, or a delayed copy. */
export const sqsThrottledRecords = ({ client, queueUrl }: SqsThrottledRecordsOptions): ThrottledRecords => ({
  async delay({ receiptHandle }, seconds) {
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
    );
  },
  async requeue({ body, attributes }, seconds) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: toMessageAttributes(attributes),
        DelaySeconds: seconds,
      }),
    );
  },
});
