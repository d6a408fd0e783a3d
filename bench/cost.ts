import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INGEST_MEMORY_MB } from '../lib/config.ts';

/**
 * AWS list prices, us-east-1, in US dollars, as published on the AWS pricing
 * pages in 2026 (DynamoDB on-demand after its 1 November 2024 reduction).
 * First pricing tier, free tiers ignored. Check them before relying on them:
 * `PRICES_AS_OF` is printed with every report.
 */
export const PRICES_AS_OF = 'AWS list prices for us-east-1 as published in 2026 (first tier, free tiers ignored)';

export const PRICES = {
  /** API Gateway HTTP API, per request (first 300 million a month), metered in 512 KB increments. */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda on arm64, per GB-second (first 7.5 billion GB-s a month); billed duration rounds up to 1 ms. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per invocation. */
  lambdaRequest: 0.2 / 1e6,
  /** SQS standard queue, per request (each 64 KB chunk of a payload is one request). */
  sqsRequest: 0.4 / 1e6,
  /** DynamoDB on-demand, standard table class, per write request unit (1 KB). */
  dynamodbWrite: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (a strongly consistent read of up to 4 KB; the relay reads consistently). */
  dynamodbRead: 0.125 / 1e6,
  /** SNS API request (Publish, CheckIfPhoneNumberIsOptedOut), per 64 KB chunk. */
  snsRequest: 0.5 / 1e6,
  /** SNS mobile push notification delivered (charged on top of the Publish request). */
  snsMobilePushDelivery: 0.5 / 1e6,
  /** SES outbound email (from Lambda). */
  sesEmail: 0.1 / 1000,
  /** CloudWatch Logs ingestion, Standard log class, per GB: what the logs and EMF metrics lines cost. */
  cloudWatchLogsGb: 0.5,
} as const;

/** Memory of the consumer functions: `DEFAULT_CONSUMER_MEMORY_MB` of lib/constructs/channel-pipeline.ts (not exported; checked below). */
const CONSUMER_MEMORY_MB = 512;

export interface CostInputs {
  /** Median ingest handler time per request, ms (measured in process against the local SQS emulator). */
  readonly ingestMs: number;
  /** Log and EMF bytes the ingest handler writes per accepted request. */
  readonly ingestLogBytes: number;
  readonly channels: ReadonlyArray<{
    readonly channel: string;
    /** Median consumer time per notification, ms (a batch of 10 over 10). */
    readonly consumerMsPerDelivery: number;
    /** AWS API calls per delivery, by `<service>.<command>`, counted on the consumer's clients. */
    readonly callsPerDelivery: Readonly<Record<string, number>>;
    readonly consumerLogBytes: number;
  }>;
}

export interface CostLine {
  readonly item: string;
  /** What is counted per notification, in words. */
  readonly basis: string;
  /** US dollars per million notifications. */
  readonly perMillion: number;
}

export interface ChannelCost {
  readonly channel: string;
  readonly lines: readonly CostLine[];
  /** Everything above except what `excluded` names. */
  readonly totalPerMillion: number;
  readonly excluded?: string;
}

export interface CostModel {
  readonly pricesAsOf: string;
  readonly prices: typeof PRICES;
  readonly memoryMb: { readonly ingest: number; readonly consumer: number };
  readonly channels: readonly ChannelCost[];
  /** Lambda compute per million if each function ran `factor` times as long as measured here (AWS calls take longer than loopback). */
  readonly lambdaSensitivity: { readonly factor: number; readonly perMillion: Readonly<Record<string, number>> };
  readonly consumerMemoryChecked: boolean;
}

const MILLION = 1e6;
const GB = 1024 ** 3;

const gbSeconds = (ms: number, memoryMb: number): number => (Math.ceil(ms) / 1000) * (memoryMb / 1024);

const count = (calls: Readonly<Record<string, number>>, ...names: string[]): number =>
  names.reduce((total, name) => total + (calls[name] ?? 0), 0);

const round = (dollars: number): number => Math.round(dollars * 100) / 100;

/**
 * Cost per million notifications per channel: the requests each notification
 * makes (counted in the consumer benchmark), the durations measured here, and
 * list prices. Conservative where batching varies: every message is counted as
 * its own SQS receive, delete and consumer invocation (a burst shares them by up to 10).
 */
export const costModel = (inputs: CostInputs, { sensitivityFactor = 10 } = {}): CostModel => {
  const lambdaCompute = (ingestMs: number, consumerMs: number) =>
    MILLION *
    (gbSeconds(ingestMs, DEFAULT_INGEST_MEMORY_MB) * PRICES.lambdaArmGbSecond +
      gbSeconds(consumerMs, CONSUMER_MEMORY_MB) * PRICES.lambdaArmGbSecond);

  const channels = inputs.channels.map(({ channel, consumerMsPerDelivery, callsPerDelivery, consumerLogBytes }): ChannelCost => {
    const writes = count(callsPerDelivery, 'dynamodb.PutItem', 'dynamodb.UpdateItem', 'dynamodb.DeleteItem');
    const reads = count(callsPerDelivery, 'dynamodb.GetItem', 'dynamodb.Query');
    const snsRequests = count(callsPerDelivery, 'sns.Publish', 'sns.CheckIfPhoneNumberIsOptedOut');
    const pushes = channel === 'push' ? count(callsPerDelivery, 'sns.Publish') : 0;
    const emails = count(callsPerDelivery, 'ses.SendEmail');
    const logBytes = inputs.ingestLogBytes + consumerLogBytes;
    const lines: CostLine[] = [
      { item: 'API Gateway HTTP API', basis: '1 request', perMillion: MILLION * PRICES.httpApiRequest },
      { item: 'Lambda requests', basis: '1 ingest + 1 consumer invocation', perMillion: MILLION * 2 * PRICES.lambdaRequest },
      {
        item: 'Lambda compute (arm64)',
        basis: `ingest ${Math.ceil(inputs.ingestMs)} ms × ${DEFAULT_INGEST_MEMORY_MB} MB + consumer ${Math.ceil(consumerMsPerDelivery)} ms × ${CONSUMER_MEMORY_MB} MB`,
        perMillion: lambdaCompute(inputs.ingestMs, consumerMsPerDelivery),
      },
      {
        item: 'SQS',
        basis: '3 requests (SendMessage, ReceiveMessage, DeleteMessage)',
        perMillion: MILLION * 3 * PRICES.sqsRequest,
      },
      {
        item: 'DynamoDB writes',
        basis: `${fmt(writes)} WRU (ledger claim and mark-sent)`,
        perMillion: MILLION * writes * PRICES.dynamodbWrite,
      },
      {
        item: 'DynamoDB reads',
        basis: `${fmt(reads)} RRU (${channel === 'push' ? 'devices of the uid' : channel === 'email' ? 'contact, for bounces' : 'none when the payload has the number'})`,
        perMillion: MILLION * reads * PRICES.dynamodbRead,
      },
      ...(snsRequests > 0
        ? [
            {
              item: 'SNS requests',
              basis: `${fmt(snsRequests)} (${snsCalls(callsPerDelivery)})`,
              perMillion: MILLION * snsRequests * PRICES.snsRequest,
            },
          ]
        : []),
      ...(pushes > 0
        ? [
            {
              item: 'SNS mobile push deliveries',
              basis: `${fmt(pushes)} per device`,
              perMillion: MILLION * pushes * PRICES.snsMobilePushDelivery,
            },
          ]
        : []),
      ...(emails > 0 ? [{ item: 'SES emails', basis: `${fmt(emails)}`, perMillion: MILLION * emails * PRICES.sesEmail }] : []),
      {
        item: 'CloudWatch Logs ingestion',
        basis: `${Math.round(logBytes)} bytes of log and EMF lines`,
        perMillion: (MILLION * logBytes * PRICES.cloudWatchLogsGb) / GB,
      },
    ].map((line) => ({ ...line, perMillion: round(line.perMillion) }));
    return {
      channel,
      lines,
      totalPerMillion: round(lines.reduce((total, line) => total + line.perMillion, 0)),
      ...(channel === 'sms'
        ? {
            excluded:
              'the SMS itself: priced per message by destination country and origination identity (for US numbers about $0.006 per message before carrier fees, i.e. thousands of dollars per million)',
          }
        : {}),
    };
  });

  return {
    pricesAsOf: PRICES_AS_OF,
    prices: PRICES,
    memoryMb: { ingest: DEFAULT_INGEST_MEMORY_MB, consumer: CONSUMER_MEMORY_MB },
    channels,
    lambdaSensitivity: {
      factor: sensitivityFactor,
      perMillion: Object.fromEntries(
        inputs.channels.map(({ channel, consumerMsPerDelivery }) => [
          channel,
          round(lambdaCompute(inputs.ingestMs * sensitivityFactor, consumerMsPerDelivery * sensitivityFactor)),
        ]),
      ),
    },
    consumerMemoryChecked: readFileSync(join(import.meta.dirname, '..', 'lib/constructs/channel-pipeline.ts'), 'utf8').includes(
      `DEFAULT_CONSUMER_MEMORY_MB = ${CONSUMER_MEMORY_MB}`,
    ),
  };
};

const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

const snsCalls = (calls: Readonly<Record<string, number>>): string =>
  Object.keys(calls)
    .filter((name) => name.startsWith('sns.'))
    .map((name) => name.slice(4))
    .join(' + ');
