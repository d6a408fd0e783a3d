import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { localClientConfig } from '../../lib/local/local-aws.ts';

export const sqsClientFor = (endpoint: string): SQSClient =>
  new SQSClient({ ...localClientConfig(endpoint), useQueueUrlAsEndpoint: false });

/** Receives and deletes everything visible in a queue right now. */
export const drainQueue = async (sqs: SQSClient, queueUrl: string): Promise<Message[]> => {
  const drained: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return drained;
    drained.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
};

export const attributesOf = (message: Message): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));

/** What a queue holds right now: visible, and received but not yet deleted. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
}

export const queueCounts = async (sqs: SQSClient, queueUrl: string): Promise<QueueCounts> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 'NaN'),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 'NaN'),
  };
};

/** Exactly `size` messages, received as Lambda's event source would hand them over (fails if the queue runs out). */
export const receiveBatch = async (sqs: SQSClient, queueUrl: string, size: number): Promise<Message[]> => {
  const messages: Message[] = [];
  while (messages.length < size) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: size - messages.length,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) throw new Error(`The queue ran out after ${messages.length} of ${size} messages`);
    messages.push(...Messages);
  }
  return messages;
};
