import { existsSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The local queues kept across a graceful restart (fauxqs 1.9.2 holds them in
 * memory only). At stop, every message of every queue (ready, delayed, in
 * flight) is read through fauxqs's non-destructive inspection and written to
 * a JSON file; at start, the messages are sent back with their bodies and
 * attributes (so idempotency keys, and with them "delivered once", survive).
 * What does not survive: message ids, receive counts and visibility (a
 * restored message starts at receive 1), and anything at all after a crash,
 * since the snapshot is written only at a graceful stop.
 */

/** One queued message as fauxqs's inspection shows it. */
export interface InspectedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>>;
  readonly sentTimestamp: number;
  readonly approximateReceiveCount: number;
}

interface FauxqsInspection {
  messages: {
    ready: InspectedMessage[];
    delayed: InspectedMessage[];
    inflight: Array<{ message: InspectedMessage }>;
  };
}

export const queueNameOf = (queueUrl: string): string => queueUrl.slice(queueUrl.lastIndexOf('/') + 1);

/** Every message of a queue without receiving it (no receive count spent, nothing hidden): fauxqs's `/_fauxqs/queues/<name>`. */
export const inspectQueue = async (sqsEndpoint: string, queueUrl: string): Promise<InspectedMessage[]> => {
  const response = await fetch(`${sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(queueNameOf(queueUrl))}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`SQS emulator answered ${response.status} to the inspection of ${queueNameOf(queueUrl)}`);
  const { messages } = (await response.json()) as FauxqsInspection;
  return [...messages.inflight.map(({ message }) => message), ...messages.ready, ...messages.delayed].sort(
    (a, b) => a.sentTimestamp - b.sentTimestamp,
  );
};

interface Snapshot {
  readonly version: 1;
  readonly savedAt: string;
  readonly queues: Record<string, Array<Pick<InspectedMessage, 'body' | 'messageAttributes'>>>;
}

/** Writes every message of the queues to `file` (atomically: a stop cut short leaves the previous file or none). */
export const saveQueueSnapshot = async (sqsEndpoint: string, queueUrls: readonly string[], file: string): Promise<number> => {
  const queues: Snapshot['queues'] = {};
  let count = 0;
  for (const url of queueUrls) {
    const messages = await inspectQueue(sqsEndpoint, url);
    if (messages.length === 0) continue;
    queues[queueNameOf(url)] = messages.map(({ body, messageAttributes }) => ({ body, messageAttributes }));
    count += messages.length;
  }
  const snapshot: Snapshot = { version: 1, savedAt: new Date().toISOString(), queues };
  writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
  renameSync(`${file}.tmp`, file);
  return count;
};

/**
 * Sends the saved messages back to their queues, then removes the file: the
 * messages live in the emulator again, and a crash later must not restore
 * them a second time.
 */
export const restoreQueueSnapshot = async (sqs: SQSClient, queueUrls: readonly string[], file: string): Promise<number> => {
  if (!existsSync(file)) return 0;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  let count = 0;
  for (const url of queueUrls) {
    const messages = snapshot.queues[queueNameOf(url)] ?? [];
    for (let index = 0; index < messages.length; index += 10) {
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.slice(index, index + 10).map((message, offset) => ({
            Id: String(offset),
            MessageBody: message.body,
            MessageAttributes: sendable(message.messageAttributes),
          })),
        }),
      );
      if (Failed.length > 0) throw new Error(`${Failed.length} saved message(s) of ${queueNameOf(url)} could not be restored: ${Failed[0]?.Code}`);
    }
    count += messages.length;
  }
  rmSync(file, { force: true });
  return count;
};

const sendable = (attributes: InspectedMessage['messageAttributes']): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      {
        DataType,
        ...(StringValue === undefined ? {} : { StringValue }),
        ...(BinaryValue === undefined ? {} : { BinaryValue: Buffer.from(BinaryValue, 'base64') }),
      },
    ]),
  );
