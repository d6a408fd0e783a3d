import type { ConsumerThroughputReply, ConsumerThroughputRequest } from './consumers-worker.ts';
import { type Summary, summarise } from './stats.ts';
import { AS_DEPLOYED, runWorker } from './worker.ts';

export interface ConsumerThroughput {
  readonly channel: string;
  readonly batchSize: number;
  /** Milliseconds per SQS batch handed to the consumer. */
  readonly batchMs: Summary;
  /** Deliveries per second, batch by batch (batch size / batch time). */
  readonly deliveriesPerSecond: Summary;
  /** AWS API calls per delivered notification, by `<service>.<command>`. */
  readonly callsPerDelivery: Readonly<Record<string, number>>;
  readonly logBytesPerDelivery: number;
}

/**
 * The push, SMS and email consumers called directly with real SQS batches
 * (received from fauxqs, filled by the local stack's ingest) against the
 * emulators, one batch at a time, as one Lambda instance would take them.
 */
export const measureConsumers = async ({
  batches = 30,
  warmupBatches = 5,
  batchSize = 10,
} = {}): Promise<ConsumerThroughput[]> => {
  const reply = await runWorker<ConsumerThroughputRequest, ConsumerThroughputReply>(
    new URL('./consumers-worker.ts', import.meta.url),
    { batches, warmupBatches, batchSize },
    { env: AS_DEPLOYED, timeoutMs: 180_000 },
  );
  return reply.channels.map((channel) => ({
    channel: channel.channel,
    batchSize,
    batchMs: summarise(channel.batchMs),
    deliveriesPerSecond: summarise(channel.batchMs.map((ms, index) => ((channel.deliveredPerBatch[index] ?? 0) * 1000) / ms)),
    callsPerDelivery: channel.callsPerDelivery,
    logBytesPerDelivery: channel.logBytesPerDelivery,
  }));
};
