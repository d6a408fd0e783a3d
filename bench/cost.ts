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
  /** DynamoDB on-demand, per read request unit (a strongly consistent read of up to 4 KB; an eventually consistent one is half a unit). */
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

/** How the consumer benchmark names an eventually consistent read (`dynamodb.Query` + this): half a read unit. */
export const EVENTUAL_SUFFIX = ' (eventually consistent)';

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
    const strongReads = count(callsPerDelivery, 'dynamodb.GetItem', 'dynamodb.Query');
    const eventualReads = count(callsPerDelivery, `dynamodb.GetItem${EVENTUAL_SUFFIX}`, `dynamodb.Query${EVENTUAL_SUFFIX}`);
    // An eventually consistent read of up to 4 KB is half a read request unit.
    const reads = strongReads + eventualReads / 2;
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
        basis: `${fmt(reads)} RRU (${channel === 'push' ? 'devices of the uid' : channel === 'email' ? 'contact, for bounces' : 'none when the payload has the number'}${eventualReads > 0 ? ', eventually consistent' : ''})`,
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

// ---------------------------------------------------------------------------
// Idle cost: what a deployed stack costs a month with no traffic at all

/** When and where the idle prices below were taken. */
export const IDLE_PRICES_AS_OF = 'us-east-1 list prices recorded 2026-11-30 (first tier, free tiers ignored)';

export const IDLE_PRICES = {
  /** KMS customer managed key, per key-month; each of its first two yearly rotations adds the same again. */
  kmsKeyMonth: 1.0,
  /** Secrets Manager, per secret-month (prorated by the hour; a secret scheduled for deletion is not billed). */
  secretMonth: 0.4,
  /** CloudWatch alarm, standard resolution, per metric in the alarm per month (a metric-math alarm pays for each metric). */
  alarmMetricMonth: 0.1,
  /** CloudWatch dashboard, per dashboard-month (the account's first 3 are free: ignored, as every free tier). */
  dashboardMonth: 3.0,
  /** CloudWatch custom metric, per metric-month, prorated by the hour and billed only in hours in which it is published. */
  customMetricMonth: 0.3,
  /** SQS request: what Lambda's pollers pay for the empty long-polls of an idle queue. */
  sqsRequest: PRICES.sqsRequest,
} as const;

/**
 * Lambda's SQS event source polls an idle queue with 5 long-poll connections
 * (AWS: "Lambda begins polling with five concurrent batches"), each a 20 s
 * ReceiveMessage: 3 a minute each, whatever the queue holds.
 */
export const IDLE_POLLERS_PER_QUEUE = 5;
const IDLE_RECEIVES_PER_POLLER_MONTH = 3 * 60 * 24 * 30;

export interface IdleCostLine {
  readonly item: string;
  /** How many the template holds. */
  readonly count: number;
  readonly basis: string;
  /** US dollars a month with no traffic. */
  readonly monthly: number;
}

export interface IdleCostModel {
  readonly pricesAsOf: string;
  readonly prices: typeof IDLE_PRICES;
  readonly lines: readonly IdleCostLine[];
  /** Sum of `lines`: the fixed monthly cost of a deployed stack with no traffic. */
  readonly totalMonthly: number;
  /** The same once every KMS key has rotated twice (from its second year on). */
  readonly totalMonthlyAfterKeyRotations: number;
  /** Resources of the template that cost nothing while idle, by type, with their count. */
  readonly freeWhileIdle: Readonly<Record<string, number>>;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Resource types whose idle cost is zero or a rounding error (storage of empty tables and log groups). */
const FREE_WHILE_IDLE = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::DomainName',
  'AWS::SES::ConfigurationSet',
];

/** Metrics an alarm pays for: one, or each metric a metric-math alarm reads. */
const alarmMetrics = (properties: Record<string, unknown>): number => {
  const metrics = properties.Metrics as ReadonlyArray<{ MetricStat?: unknown }> | undefined;
  return metrics === undefined ? 1 : metrics.filter((metric) => metric.MetricStat !== undefined).length;
};

/** `<namespace> <metric> <dimensions>` of each custom (non-`AWS/`) metric an alarm reads. */
const customMetricsOf = (properties: Record<string, unknown>): string[] => {
  type Stat = { Metric?: { Namespace?: unknown; MetricName?: unknown; Dimensions?: unknown } };
  const metrics = (properties.Metrics as ReadonlyArray<{ MetricStat?: Stat }> | undefined)?.map((m) => m.MetricStat?.Metric) ?? [
    { Namespace: properties.Namespace, MetricName: properties.MetricName, Dimensions: properties.Dimensions },
  ];
  return metrics
    .filter((metric) => typeof metric?.Namespace === 'string' && !metric.Namespace.startsWith('AWS/'))
    .map((metric) => JSON.stringify([metric?.Namespace, metric?.MetricName, metric?.Dimensions ?? []]));
};

/**
 * The fixed monthly cost of a deployed stack with no traffic, from its
 * synthesised template: every resource is counted in the template, so a new
 * key, secret, alarm or queue consumer changes the figure by itself.
 */
export const idleCostModel = (template: { readonly Resources: Readonly<Record<string, TemplateResource>> }): IdleCostModel => {
  const resources = Object.values(template.Resources);
  const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
  const keys = ofType('AWS::KMS::Key').length;
  const secrets = ofType('AWS::SecretsManager::Secret').length;
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const alarmMetricCount = alarms.reduce((total, alarm) => total + alarmMetrics(alarm.Properties ?? {}), 0);
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  const customMetrics = new Set(alarms.flatMap((alarm) => customMetricsOf(alarm.Properties ?? {}))).size;
  const pollers = ofType('AWS::Lambda::EventSourceMapping').length;
  const receives = pollers * IDLE_POLLERS_PER_QUEUE * IDLE_RECEIVES_PER_POLLER_MONTH;
  const lines: IdleCostLine[] = [
    {
      item: 'KMS keys',
      count: keys,
      basis: `$${IDLE_PRICES.kmsKeyMonth.toFixed(2)} per key`,
      monthly: keys * IDLE_PRICES.kmsKeyMonth,
    },
    {
      item: 'Secrets Manager secrets',
      count: secrets,
      basis: `$${IDLE_PRICES.secretMonth.toFixed(2)} per secret`,
      monthly: secrets * IDLE_PRICES.secretMonth,
    },
    {
      item: 'CloudWatch alarms',
      count: alarms.length,
      basis: `${alarmMetricCount} metrics × $${IDLE_PRICES.alarmMetricMonth.toFixed(2)}`,
      monthly: alarmMetricCount * IDLE_PRICES.alarmMetricMonth,
    },
    {
      item: 'CloudWatch dashboard',
      count: dashboards,
      basis: `$${IDLE_PRICES.dashboardMonth.toFixed(2)} per dashboard`,
      monthly: dashboards * IDLE_PRICES.dashboardMonth,
    },
    {
      item: 'CloudWatch custom metrics',
      count: customMetrics,
      basis: `billed only in hours they are published: $0 idle ($${IDLE_PRICES.customMetricMonth.toFixed(2)} per metric in a month with traffic; ${customMetrics} read by the alarms, more on the dashboard)`,
      monthly: 0,
    },
    {
      item: 'Idle queue polling (Lambda SQS event sources)',
      count: pollers,
      basis: `${IDLE_POLLERS_PER_QUEUE} long-polls of 20 s per queue: ${(receives / 1e6).toFixed(2)} million empty receives`,
      monthly: receives * IDLE_PRICES.sqsRequest,
    },
  ].map((line) => ({ ...line, monthly: round(line.monthly) }));
  const totalMonthly = round(lines.reduce((total, line) => total + line.monthly, 0));
  return {
    pricesAsOf: IDLE_PRICES_AS_OF,
    prices: IDLE_PRICES,
    lines,
    totalMonthly,
    totalMonthlyAfterKeyRotations: round(totalMonthly + 2 * keys * IDLE_PRICES.kmsKeyMonth),
    freeWhileIdle: Object.fromEntries(FREE_WHILE_IDLE.map((type) => [type, ofType(type).length]).filter(([, n]) => n !== 0)),
  };
};
