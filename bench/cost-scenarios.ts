import type { CostInputs, CostModel } from './cost.ts';
import { PRICES } from './cost.ts';

/** Messages per SQS batch the consumers' event source hands over in a burst (the relay's batch size). */
export const BATCH_SIZE = 10;

export interface ChannelScenarios {
  readonly channel: string;
  /** The cost model as it is (each notification pays its own receive, delete and consumer invocation). */
  readonly conservative: number;
  /** Batches of 10: one ReceiveMessage, one DeleteMessageBatch and one consumer invocation per 10 notifications. */
  readonly batched: number;
  /** `ingest: "direct"`, batched: no ingest invocation, compute or log lines (the authorizer runs about once per 5 minutes). */
  readonly directBatched: number;
  readonly directConservative: number;
  /** Log and EMF bytes per notification at INFO: ingest + consumer, and the consumer's alone (direct). */
  readonly logBytes: number;
  readonly directLogBytes: number;
  /**
   * What a lever would still take off the batched figure: one ledger write (not applied), the strongly consistent
   * reads left (eventually consistent lookups are applied: 0 when every read already is), logs at 400 bytes.
   */
  readonly levers: { readonly oneLedgerWrite: number; readonly eventualReads: number; readonly logsAt400Bytes: number };
}

const MILLION = 1e6;
const GB = 1024 ** 3;
const round = (dollars: number): number => Math.round(dollars * 100) / 100;

/** Consistent reads per delivery (the eventually consistent ones are counted under their own name, cost.ts). */
const strongReads = (calls: Readonly<Record<string, number>>): number =>
  (calls['dynamodb.GetItem'] ?? 0) + (calls['dynamodb.Query'] ?? 0);

/**
 * Derives, from the cost model's lines, what each channel costs under the
 * batching a burst gets (the conservative figure assumes none) and with
 * direct ingest, and what the levers not applied would save.
 */
export const costScenarios = (model: CostModel, inputs: CostInputs): ChannelScenarios[] =>
  model.channels.map((channel) => {
    const line = (item: string) => channel.lines.find((candidate) => candidate.item === item)?.perMillion ?? 0;
    const measured = inputs.channels.find((candidate) => candidate.channel === channel.channel);
    const consumerLogBytes = measured?.consumerLogBytes ?? 0;
    const sqsSaving = MILLION * 2 * PRICES.sqsRequest * (1 - 1 / BATCH_SIZE);
    const invocationSaving = MILLION * PRICES.lambdaRequest * (1 - 1 / BATCH_SIZE);
    const ingestInvocation = MILLION * PRICES.lambdaRequest;
    const ingestCompute =
      (MILLION * Math.ceil(inputs.ingestMs) * (model.memoryMb.ingest / 1024) * PRICES.lambdaArmGbSecond) / 1000;
    const ingestLogs = (MILLION * inputs.ingestLogBytes * PRICES.cloudWatchLogsGb) / GB;
    const batched = channel.totalPerMillion - sqsSaving - invocationSaving;
    const directSaving = ingestInvocation + ingestCompute + ingestLogs;
    const logBytes = inputs.ingestLogBytes + consumerLogBytes;
    return {
      channel: channel.channel,
      conservative: channel.totalPerMillion,
      batched: round(batched),
      directBatched: round(batched - directSaving),
      directConservative: round(channel.totalPerMillion - directSaving),
      logBytes: Math.round(logBytes),
      directLogBytes: Math.round(consumerLogBytes),
      levers: {
        oneLedgerWrite: round(Math.max(0, line('DynamoDB writes') - MILLION * PRICES.dynamodbWrite)),
        eventualReads: round((MILLION * strongReads(measured?.callsPerDelivery ?? {}) * PRICES.dynamodbRead) / 2),
        logsAt400Bytes: round((MILLION * Math.max(0, logBytes - 400) * PRICES.cloudWatchLogsGb) / GB),
      },
    };
  });
