import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetters } from './ports/dead-letters.ts';
import { toMessageAttributes } from './sqs-notification-queue.ts';

/** SQS caps one message attribute's value with the whole message; a reason longer than this is cut. */
const MAX_REASON_CHARS = 1000;

/** Parks messages on a dead-letter queue with a `reason` attribute beside the original ones, as `npm run redrive` shows them. */
export const sqsDeadLetters = ({ client, queueUrl }: { readonly client: SQSClient; readonly queueUrl: string }): DeadLetters => ({
  async park({ body, reason, attributes }) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: toMessageAttributes({ ...attributes, reason: reason.slice(0, MAX_REASON_CHARS) }),
      }),
    );
  },
});
