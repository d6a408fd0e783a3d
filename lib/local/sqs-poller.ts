import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './local-aws.ts';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsBatchHandler;
  /** Lambda's SQS event source default and maximum for standard queues. Default 10. */
  readonly batchSize?: number;
  /** Long-poll wait; short enough that stop() returns quickly. Default 1 s. */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

export interface SqsPoller {
  /**
   * Resolves once the queue is empty and no batch is in flight (tests use it to wait for delivery):
   * a receive started after the call came back empty, and no message is waiting out its visibility
   * timeout to be retried. A message that keeps failing ends in the DLQ, so this always settles.
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source mapping does, on this machine: receive up to
 * a batch, hand the consumer a real `SQSEvent`, delete what succeeded and leave
 * each `batchItemFailures` entry to come back after its visibility timeout
 * (and reach the DLQ after maxReceiveCount). A thrown error fails the batch.
 */
export const startSqsPoller = ({
  sqs,
  queueUrl,
  queueArn,
  handler,
  batchSize = 10,
  waitTimeSeconds = 1,
  onError = () => {},
}: SqsPollerOptions): SqsPoller => {
  let running = true;
  // Receives are numbered as they start; `lastEmptyReceive` is the number of the latest one that found nothing.
  let receivesStarted = 0;
  let lastEmptyReceive = 0;
  const loop = (async () => {
    while (running) {
      try {
        const receive = ++receivesStarted;
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) {
          lastEmptyReceive = receive;
          continue;
        }
        const failed = await invoke(handler, Messages, queueArn, onError);
        const succeeded = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
        if (succeeded.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
            }),
          );
        }
      } catch (error) {
        if (!running) break;
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async idle() {
      while (running) {
        // An empty receive that started before this call may have missed a message sent just before it.
        const startedBefore = receivesStarted;
        while (running && lastEmptyReceive <= startedBefore) await new Promise((resolve) => setTimeout(resolve, 25));
        if (!running) return;
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        // Failed messages are invisible until their visibility timeout ends: the queue is not idle while they wait.
        if (Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0') return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      running = false;
      await loop;
    },
  };
};

const invoke = async (
  handler: SqsBatchHandler,
  messages: readonly Message[],
  queueArn: string,
  onError: (error: unknown) => void,
): Promise<Set<string>> => {
  const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, queueArn)) };
  try {
    const response = await handler(event, lambdaContext());
    return new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch (error) {
    onError(error);
    return new Set(messages.map((message) => message.MessageId ?? ''));
  }
};

/** A received message as Lambda's SQS event source hands it to the function. */
export const toSqsRecord = (message: Message, queueArn: string): SQSRecord => {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }) },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
};

let invocation = 0;
const lambdaContext = (): Context => {
  invocation += 1;
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-consumer',
    memoryLimitInMB: '1024',
    awsRequestId: `local-${invocation}`,
    logGroupName: '/aws/lambda/local-consumer',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};
