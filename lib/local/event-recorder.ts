import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RecordedEvent } from './outbox.ts';

export interface EventRecorder {
  readonly topicArn: string;
  list(): readonly RecordedEvent[];
  clear(): void;
  stop(): Promise<void>;
}

/**
 * The message-events topic on the SNS-topic emulator, with one raw-delivery
 * queue subscribed to it (as a user's own subscriber would be) whose messages
 * the local stack keeps for the outbox.
 */
export const startEventRecorder = async ({
  sns,
  sqs,
  prefix,
}: {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly prefix: string;
}): Promise<EventRecorder> => {
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: `${prefix}-message-events` }));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-message-events-outbox` }));
  if (!topicArn || !queueUrl) throw new Error('The SNS/SQS emulator did not create the message-events topic and its queue');
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );

  let recorded: RecordedEvent[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) continue;
        recorded.push(
          ...Messages.map((message) => ({
            topicArn,
            message: parseJson(message.Body ?? ''),
            attributes: Object.fromEntries(
              Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
            ),
            at: new Date().toISOString(),
          })),
        );
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      } catch {
        if (running) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    topicArn,
    list: () => recorded,
    clear: () => {
      recorded = [];
    },
    async stop() {
      running = false;
      await loop;
    },
  };
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
