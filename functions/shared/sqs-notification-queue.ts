import { createHash } from 'node:crypto';
import type { AwsJsonClient } from './clients/aws-json-client.ts';
import { UnavailableError } from './errors.ts';
import type { NotificationQueue, QueuedNotification } from './ports/notification-queue.ts';

export interface SqsNotificationQueueOptions {
  /** An SQS JSON-protocol client (`createIngestSqsClient`). */
  readonly client: AwsJsonClient;
  readonly queueUrl: string;
  /** Overall deadline for one enqueue, retries included, in ms. Default 1200: leaves room inside CometChat's 2 s. */
  readonly deadlineMs?: number;
}

/** SQS answered, but not with what it was sent: the MD5 of the body it stored differs from the body's. */
export class SqsIntegrityError extends Error {
  override readonly name = 'SqsIntegrityError';
}

/**
 * The ingest path's queue: one `SendMessage` per webhook, signed and sent by the function's JSON
 * client, checked as the SDK checks it (the MD5 of the body SQS stored), within an overall deadline.
 */
export const sqsNotificationQueue = ({ client, queueUrl, deadlineMs = 1200 }: SqsNotificationQueueOptions): NotificationQueue => {
  const fallbackEndpoint = new URL(queueUrl).origin;
  return {
    async enqueue({ body, attributes }: QueuedNotification) {
      try {
        const result = await client.call(
          'SendMessage',
          { QueueUrl: queueUrl, MessageBody: body, MessageAttributes: toMessageAttributes(attributes) },
          { abortSignal: AbortSignal.timeout(deadlineMs), fallbackEndpoint },
        );
        if (typeof result.MessageId !== 'string') throw new SqsIntegrityError('SQS answered without a MessageId');
        if (result.MD5OfMessageBody !== createHash('md5').update(body, 'utf8').digest('hex')) {
          throw new SqsIntegrityError('SQS answered with an MD5 of the message body that does not match what was sent');
        }
        return { id: result.MessageId };
      } catch (error) {
        throw new UnavailableError('The notification queue could not be written; nothing was accepted, retry later.', {
          cause: error,
        });
      }
    },
  };
};

/** Message attributes in SQS's wire shape (the same for the JSON protocol and the SDK's `MessageAttributeValue`). */
export const toMessageAttributes = (
  attributes: Readonly<Record<string, string>>,
): Record<string, { DataType: 'String'; StringValue: string }> =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
