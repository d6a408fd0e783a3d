import { ArnFormat, Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import {
  DELIVERY_OUTCOMES,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_ROUTES,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  WEBHOOK_METRIC_ROUTES,
} from '../../functions/shared/metric-names.ts';
import { DEFAULT_INGEST_LATENCY_P99_MS, DEFAULT_SMS_MONTHLY_SPEND_USD } from '../config.ts';
import { QUEUE_SETTINGS } from '../queue-settings.ts';
import { EncryptedTopic } from './encrypted-topic.ts';
import { SERVICE_NAME } from './relay-function.ts';

/** What the alarms on one queue watch: the queue, its dead-letter queue and its consumer. */
export interface MonitoredQueue {
  /**
   * Names the queue in alarm names and widget titles: a channel (`push`) or a feedback loop (`ses-feedback`).
   * Lower-case letters, digits and hyphens.
   */
  readonly name: string;
  /** The queue the consumer reads. */
  readonly queue: IQueue;
  /** Where the queue's failed messages land. */
  readonly deadLetterQueue: IQueue;
  /** The function the queue feeds. */
  readonly consumer: IFunction;
  /** Age of the oldest message above which the queue is "not keeping up". */
  readonly maxMessageAge: Duration;
}

export interface ObservabilityProps {
  /**
   * Prefix of the alarm names (`<prefix>-<alarm>`), the dashboard name (`<prefix>`) and the alarm topic
   * (`<prefix>-alarms`). The stack passes its stack name.
   */
  readonly namePrefix: string;
  /** The webhook API's stage: its 5xx and latency are alarmed on, its counts graphed. */
  readonly stage: IHttpStage;
  /** Each channel's queue, DLQ and consumer. */
  readonly channels: Readonly<Record<Channel, MonitoredQueue>>;
  /**
   * The webhook routes' ingest functions (none for the routes `ingest: "direct"` serves): the dashboard
   * graphs their `Duration`, since an accepted webhook writes no EMF record (ingest-webhook.ts).
   *
   * @default - none
   */
  readonly ingestFunctions?: Readonly<Partial<Record<Channel, IFunction>>>;
  /**
   * The feedback loops' queues, DLQs and consumers, alarmed on like the channels'.
   *
   * @default - none
   */
  readonly feedback?: readonly MonitoredQueue[];
  /**
   * Where alarm notifications are emailed; SNS sends a confirmation link there first.
   *
   * @default - no subscription: subscribe your own tooling to `alarmTopic`
   */
  readonly alarmEmail?: string | undefined;
  /**
   * The account's SMS spend this calendar month, in USD, above which the spend alarm fires.
   *
   * @default 50
   */
  readonly smsMonthlySpendUsd?: number;
  /**
   * p99 of the webhook API's latency above which the latency alarm fires.
   *
   * @default 1500 ms
   */
  readonly ingestLatencyP99?: Duration;
}

/** The alarms on each monitored queue: `<prefix>-<queue>-<kind>`. */
export const QUEUE_ALARM_KINDS = ['dlq-not-empty', 'oldest-message-age', 'consumer-errors', 'consumer-throttles'] as const;
/** The alarms on the whole relay: `<prefix>-<kind>`. */
export const RELAY_ALARM_KINDS = ['api-5xx', 'api-latency-p99', 'sms-monthly-spend', 'policy-errors'] as const;
export type QueueAlarmKind = (typeof QUEUE_ALARM_KINDS)[number];
export type RelayAlarmKind = (typeof RELAY_ALARM_KINDS)[number];

/** The physical alarm topic name: `<prefix>-alarms`. */
export const alarmTopicName = (prefix: string): string => `${prefix}-alarms`;
/** The name of an alarm on one queue. */
export const queueAlarmName = (prefix: string, queue: string, kind: QueueAlarmKind): string => `${prefix}-${queue}-${kind}`;
/** The name of an alarm on the whole relay. */
export const relayAlarmName = (prefix: string, kind: RelayAlarmKind): string => `${prefix}-${kind}`;

/** The CloudWatch console URL of a dashboard. */
export const dashboardUrl = (region: string, dashboardName: string): string =>
  `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`;

/** Where each alarm is explained, relative to the repository root. */
const DOCS = 'docs/alarms.md';

const QUEUE_NAME_PATTERN = /^[a-z0-9-]{1,40}$/;
/** Dashboard names: letters, digits, `-` and `_`, at most 255 characters (alarm names are longer than the prefix). */
const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The relay's operations (SPEC §8, docs/alarms.md): alarms on what needs a
 * person, an encrypted SNS topic they notify (with an optional email
 * subscription), and one dashboard that follows a notification from the
 * webhook request to the provider.
 *
 * Every alarm notifies the topic when it fires and when it clears, treats
 * missing data as "nothing wrong" (SQS and the relay's metrics only report
 * while there is traffic) except for the monthly SMS spend, which keeps its
 * state until a new month's figure arrives, and says in its description what
 * it means and what to do.
 *
 * Ingest latency is alarmed on the HTTP API stage's `Latency` p99 rather than
 * on the functions' `Duration`: the stage's figure is what CometChat waits
 * for, including API Gateway, throttling and a cold start's init (which
 * `Duration` leaves out, and which is what a 1,000-member burst costs). The
 * stage also serves the directory routes; they are a trickle next to the
 * webhooks and bounded by short SDK timeouts, and the dashboard shows the
 * ingest functions' own `Duration` (and before_message's `IngestDuration`)
 * next to it to tell them apart.
 */
export class Observability extends Construct {
  /** Where every alarm notifies; subscribe on-call tooling to it. */
  readonly alarmTopic: Topic;
  /** The alarm topic's key and topic. */
  readonly alarmTopicResources: EncryptedTopic;
  /** Every alarm, by name (without the prefix): `push-dlq-not-empty`, `api-5xx`, ... */
  readonly alarms: Readonly<Record<string, Alarm>>;
  /** The operations dashboard. */
  readonly dashboard: Dashboard;
  /** The dashboard's URL in the CloudWatch console. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    validateProps(props);
    const {
      namePrefix,
      stage,
      channels,
      feedback = [],
      alarmEmail,
      smsMonthlySpendUsd = DEFAULT_SMS_MONTHLY_SPEND_USD,
      ingestLatencyP99 = Duration.millis(DEFAULT_INGEST_LATENCY_P99_MS),
      ingestFunctions = {},
    } = props;
    const stack = Stack.of(this);
    const queues = [...CHANNELS.map((channel) => channels[channel]), ...feedback];

    this.alarmTopicResources = new EncryptedTopic(this, 'AlarmTopic', {
      topicName: alarmTopicName(namePrefix),
      displayName: 'cometchat-relay alarms',
      keyDescription: 'cometchat-relay: encrypts the alarm notification topic at rest',
      publisherService: 'cloudwatch.amazonaws.com',
    });
    this.alarmTopic = this.alarmTopicResources.topic;
    // The topic policy that enforceSSL creates replaces SNS's default one: CloudWatch needs its own way in, for this account's alarms only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    if (alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(alarmEmail));

    const action = new SnsAction(this.alarmTopic);
    const alarms: Record<string, Alarm> = {};
    const addAlarm = (name: string, alarmName: string, definition: AlarmDefinition): void => {
      const alarm = new Alarm(this, pascalCase(name), {
        alarmName,
        alarmDescription: definition.description,
        metric: definition.metric,
        threshold: definition.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: definition.evaluationPeriods,
        datapointsToAlarm: definition.datapointsToAlarm,
        treatMissingData: definition.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[name] = alarm;
    };

    for (const monitored of queues) {
      for (const kind of QUEUE_ALARM_KINDS) {
        addAlarm(`${monitored.name}-${kind}`, queueAlarmName(namePrefix, monitored.name, kind), queueAlarm(kind, monitored));
      }
    }
    const relayAlarms: Record<RelayAlarmKind, AlarmDefinition> = {
      'api-5xx': {
        metric: stage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          'The webhook API answered 5xx: CometChat got an error instead of 200 and may not send that notification again ' +
          '(503 "unavailable": the queue could not be written within the budget; 500: a function failed). ' +
          "What to do: find the requests in the API access log (status, integrationError) and the ingest functions' logs, " +
          `and check SQS and Lambda health. ${DOCS}#api-5xx`,
      },
      'api-latency-p99': {
        metric: stage.metricLatency({ statistic: 'p99', period: ONE_MINUTE }),
        threshold: ingestLatencyP99.toMilliseconds(),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description:
          `The webhook API's p99 latency was above ${ingestLatencyP99.toMilliseconds()} ms in 3 of the last 5 minutes: ` +
          "CometChat gives up on a webhook after about 2 s. What to do: compare the ingest functions' Duration by route with " +
          'the API latency on the dashboard (a slow handler points at SQS or Secrets Manager; a slow API at cold starts ' +
          `or throttling), then raise ingestMemoryMb or add provisioned concurrency. ${DOCS}#api-latency-p99`,
      },
      'sms-monthly-spend': {
        metric: new Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSMonthToDateSpentUSD',
          statistic: 'Maximum',
          period: FIVE_MINUTES,
        }),
        threshold: smsMonthlySpendUsd,
        evaluationPeriods: 1,
        // The figure only arrives while SMS are sent; the spend does not fall within a month, so keep the state.
        treatMissingData: TreatMissingData.IGNORE,
        description:
          `The SMS spend of this account and Region passed ${smsMonthlySpendUsd} USD this month (SNS SMSMonthToDateSpentUSD). ` +
          "SNS stops sending SMS once the account's monthly SMS spend limit is reached. What to do: check SMS deliveries on " +
          'the dashboard for a loop or abuse; if the traffic is real, raise the SNS spend limit and ' +
          `alarms.smsMonthlySpendUsd. ${DOCS}#sms-monthly-spend`,
      },
      'policy-errors': {
        metric: relayMetric(METRIC_NAMES.policyErrors, {}, 'Sum', FIVE_MINUTES),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          'The before_message policy threw and let messages through unchecked (it fails open, so chat keeps working). ' +
          "What to do: read the before-message function's log for the error, then fix the policy file (policyFile, " +
          `docs/policy.md) or report the message that breaks it. ${DOCS}#policy-errors`,
      },
    };
    for (const kind of RELAY_ALARM_KINDS) addAlarm(kind, relayAlarmName(namePrefix, kind), relayAlarms[kind]);
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: namePrefix,
      defaultInterval: Duration.hours(3),
    });
    this.addDashboardWidgets({
      stage,
      channels,
      ingestFunctions,
      queues,
      feedback,
      alarms: Object.values(alarms),
      ingestLatencyP99,
      smsMonthlySpendUsd,
    });
    this.dashboardUrl = dashboardUrl(Aws.REGION, this.dashboard.dashboardName);
  }

  /** The dashboard, top to bottom in the order a notification travels: requests → queues → deliveries → problems. */
  private addDashboardWidgets(options: {
    stage: IHttpStage;
    channels: Readonly<Record<Channel, MonitoredQueue>>;
    ingestFunctions: Readonly<Partial<Record<Channel, IFunction>>>;
    queues: readonly MonitoredQueue[];
    feedback: readonly MonitoredQueue[];
    alarms: readonly Alarm[];
    ingestLatencyP99: Duration;
    smsMonthlySpendUsd: number;
  }): void {
    const { stage, channels, ingestFunctions, queues, feedback, alarms, ingestLatencyP99, smsMonthlySpendUsd } = options;
    const graph = (title: string, left: IMetric[], extra: Partial<GraphWidgetProps> = {}) =>
      new GraphWidget({ title, left, width: 8, height: 6, leftYAxis: { min: 0 }, ...extra });
    const perChannel = (make: (channel: Channel) => IMetric) => CHANNELS.map(make);
    const perQueue = (list: readonly MonitoredQueue[], make: (queue: MonitoredQueue) => IMetric) => list.map(make);

    this.dashboard.addWidgets(
      new TextWidget({
        width: 24,
        height: 2,
        markdown:
          '## cometchat-relay\n' +
          'CometChat → **1. requests** (HTTP API) → **2. enqueued** (SQS per channel) → **3. delivered** (SNS push and SMS, SES, ' +
          `the message-events topic) → **4. latency** → **5. failures** (DLQs, consumers) → **6. feedback and cost**. Alarms: \`${DOCS}\` in the relay's repository.`,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24, height: 6 }));

    this.dashboard.addWidgets(
      graph(
        // An accepted webhook writes no EMF record: its channel queue counts it (2. Enqueued).
        '1. before_message and directory requests accepted (webhooks accepted: 2. Enqueued)',
        METRIC_ROUTES.filter((route) => !(CHANNELS as readonly string[]).includes(route)).map((route) =>
          relayMetric(METRIC_NAMES.requestsAccepted, { [METRIC_DIMENSIONS.route]: route }, 'Sum', ONE_MINUTE, route),
        ),
      ),
      graph('1. Requests refused, by route and error', [
        search(
          `{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.error},${METRIC_DIMENSIONS.route},${SERVICE_DIMENSION}} MetricName="${METRIC_NAMES.requestsRejected}"`,
          'Sum',
          ONE_MINUTE,
        ),
      ]),
      graph('1. HTTP API: requests, 4xx (incl. 429 throttled), 5xx', [
        stage.metricCount({ statistic: 'Sum', period: ONE_MINUTE, label: 'requests' }),
        stage.metricClientError({ statistic: 'Sum', period: ONE_MINUTE, label: '4xx' }),
        stage.metricServerError({ statistic: 'Sum', period: ONE_MINUTE, label: '5xx' }),
      ]),
    );

    this.dashboard.addWidgets(
      graph(
        '2. Enqueued, by channel queue',
        perChannel((channel) =>
          channels[channel].queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: ONE_MINUTE, label: channel }),
        ),
      ),
      graph(
        '2. Queue depth (visible messages)',
        perQueue(queues, (q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE, label: q.name }),
        ),
      ),
      graph(
        '2. Age of the oldest message (s)',
        perQueue(queues, (q) =>
          q.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: ONE_MINUTE, label: q.name }),
        ),
      ),
    );

    this.dashboard.addWidgets(
      graph(
        '3. Delivered (outcome sent), by channel',
        perChannel((channel) => deliveries(channel, 'sent', channel)),
        { width: 12 },
      ),
      graph(
        '3. Skipped, by channel and reason',
        [
          search(
            `{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.channel},${METRIC_DIMENSIONS.outcome},${METRIC_DIMENSIONS.reason},${SERVICE_DIMENSION}} MetricName="${METRIC_NAMES.deliveries}"`,
            'Sum',
            ONE_MINUTE,
          ),
        ],
        { width: 12 },
      ),
    );
    this.dashboard.addWidgets(
      ...CHANNELS.map((channel) =>
        graph(
          `3. ${channel} outcomes`,
          DELIVERY_OUTCOMES.map((outcome) => deliveries(channel, outcome, outcome)),
          { width: 6, stacked: true },
        ),
      ),
    );

    this.dashboard.addWidgets(
      graph(
        '4. Webhook latency (ms): API p50/p99, handlers p99 by route',
        [
          stage.metricLatency({ statistic: 'p50', period: ONE_MINUTE, label: 'API p50' }),
          stage.metricLatency({ statistic: 'p99', period: ONE_MINUTE, label: 'API p99' }),
          ...CHANNELS.flatMap((channel) => {
            const fn = ingestFunctions[channel];
            return fn ? [fn.metricDuration({ statistic: 'p99', period: ONE_MINUTE, label: `${channel} p99` })] : [];
          }),
          // before_message answers synchronously and still times itself (its record is per request, not per notification).
          ...WEBHOOK_METRIC_ROUTES.filter((route) => !(CHANNELS as readonly string[]).includes(route)).map((route) =>
            relayMetric(METRIC_NAMES.ingestDuration, { [METRIC_DIMENSIONS.route]: route }, 'p99', ONE_MINUTE, `${route} p99`),
          ),
        ],
        {
          width: 12,
          leftAnnotations: [{ value: ingestLatencyP99.toMilliseconds(), label: 'alarm (p99)' }],
        },
      ),
      graph(
        '4. Delivery latency (ms), from CometChat sentAt to the provider: p50/p99 by channel',
        CHANNELS.flatMap((channel) =>
          (['p50', 'p99'] as const).map((statistic) =>
            relayMetric(
              METRIC_NAMES.deliveryLatency,
              { [METRIC_DIMENSIONS.channel]: channel },
              statistic,
              ONE_MINUTE,
              `${channel} ${statistic}`,
            ),
          ),
        ),
        { width: 12 },
      ),
    );

    this.dashboard.addWidgets(
      graph(
        `5. Dead-letter queues (messages that failed ${QUEUE_SETTINGS.maxReceiveCount} times)`,
        perQueue(queues, (q) =>
          q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: ONE_MINUTE,
            label: `${q.name} DLQ`,
          }),
        ),
      ),
      graph(
        '5. Consumer errors and throttles',
        perQueue(queues, (q) =>
          q.consumer.metricErrors({ statistic: 'Sum', period: ONE_MINUTE, label: `${q.name} errors` }),
        ).concat(
          perQueue(queues, (q) =>
            q.consumer.metricThrottles({ statistic: 'Sum', period: ONE_MINUTE, label: `${q.name} throttles` }),
          ),
        ),
      ),
      graph(
        '5. Retries and failures, by channel',
        perChannel((channel) => deliveries(channel, 'retry', `${channel} retry`)).concat(
          perChannel((channel) => deliveries(channel, 'failed', `${channel} failed`)),
        ),
      ),
    );

    this.dashboard.addWidgets(
      graph('6. Feedback events (bounces, complaints, push endpoints), by result', [
        search(
          `{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.feedback},${METRIC_DIMENSIONS.result},${SERVICE_DIMENSION}} MetricName="${METRIC_NAMES.feedbackEvents}"`,
          'Sum',
          FIVE_MINUTES,
        ),
        ...perQueue(feedback, (q) =>
          q.queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: FIVE_MINUTES, label: `${q.name} received` }),
        ),
      ]),
      graph('6. before_message: decisions and policy errors', [
        search(
          `{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.decision},${SERVICE_DIMENSION}} MetricName="${METRIC_NAMES.beforeMessageDecisions}"`,
          'Sum',
          FIVE_MINUTES,
        ),
        relayMetric(METRIC_NAMES.policyErrors, {}, 'Sum', FIVE_MINUTES, 'policy errors'),
      ]),
      graph(
        '6. SMS spend this month (USD, account and Region)',
        [
          new Metric({
            namespace: 'AWS/SNS',
            metricName: 'SMSMonthToDateSpentUSD',
            statistic: 'Maximum',
            period: FIVE_MINUTES,
            label: 'USD',
          }),
        ],
        { leftAnnotations: [{ value: smsMonthlySpendUsd, label: 'alarm' }] },
      ),
    );
  }
}

interface AlarmDefinition {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly description: string;
  /** @default TreatMissingData.NOT_BREACHING */
  readonly treatMissingData?: TreatMissingData;
}

/** The definition of one alarm on a queue, its DLQ or its consumer. */
const queueAlarm = (
  kind: QueueAlarmKind,
  { name, queue, deadLetterQueue, consumer, maxMessageAge }: MonitoredQueue,
): AlarmDefinition => {
  switch (kind) {
    case 'dlq-not-empty':
      return {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `Messages of the ${name} queue failed ${QUEUE_SETTINGS.maxReceiveCount} times and moved to its dead-letter queue: ` +
          "they were not delivered, and are kept 14 days. What to do: read a message and the consumer's log lines for its " +
          `messageId to find the cause, fix it, then redrive the DLQ to its queue. ${DOCS}#dlq-not-empty`,
      };
    case 'oldest-message-age':
      return {
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: ONE_MINUTE }),
        threshold: maxMessageAge.toSeconds(),
        evaluationPeriods: 3,
        description:
          `The oldest message in the ${name} queue has waited more than ${maxMessageAge.toSeconds()} s for 3 minutes: ` +
          'its consumer is not keeping up (the provider throttles or fails, the consumer fails, or maxConcurrency is too low ' +
          "for the traffic). What to do: check the consumer's errors and throttles and the retries on the dashboard, the " +
          `provider's quotas, then raise maxConcurrency for the channel if the provider allows. ${DOCS}#oldest-message-age`,
      };
    case 'consumer-errors':
      return {
        metric: consumer.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `The ${name} consumer failed whole invocations (a crash, a timeout or a failed start), not single messages: the ` +
          `batch returns to the queue and reaches the DLQ after ${QUEUE_SETTINGS.maxReceiveCount} receives. What to do: read ` +
          "the consumer's log group for the error; a failed start means a missing or wrong setting or permission. " +
          `${DOCS}#consumer-errors`,
      };
    case 'consumer-throttles':
      return {
        metric: consumer.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `Lambda refused to run the ${name} consumer for lack of concurrency: the account's concurrent executions are used ` +
          "up, by this relay or by other functions. Messages wait in the queue meanwhile. What to do: check the account's " +
          `ConcurrentExecutions, then raise the Regional concurrency quota or reserve concurrency elsewhere. ${DOCS}#consumer-throttles`,
      };
  }
};

/** A metric the relay's functions write (EMF), with the `service` dimension Powertools adds to every one. */
const relayMetric = (
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  statistic: string,
  period: Duration,
  label?: string,
): Metric =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, ...dimensions },
    statistic,
    period,
    ...(label === undefined ? {} : { label }),
  });

const deliveries = (channel: Channel, outcome: string, label: string): Metric =>
  relayMetric(
    METRIC_NAMES.deliveries,
    { [METRIC_DIMENSIONS.channel]: channel, [METRIC_DIMENSIONS.outcome]: outcome },
    'Sum',
    ONE_MINUTE,
    label,
  );

/** Every metric that matches a CloudWatch search (one line per dimension combination found, such as each error code). */
const search = (query: string, statistic: string, period: Duration): MathExpression =>
  new MathExpression({
    expression: `SEARCH('${query}', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    period,
    label: '',
  });

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const validateProps = ({
  namePrefix,
  stage,
  channels,
  feedback = [],
  alarmEmail,
  smsMonthlySpendUsd,
  ingestLatencyP99,
}: ObservabilityProps): void => {
  if (stage === undefined) throw new Error('Observability: stage is required (the webhook API stage)');
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (!Token.isUnresolved(namePrefix) && !DASHBOARD_NAME_PATTERN.test(namePrefix)) {
    throw new Error(
      `Observability: namePrefix ${JSON.stringify(namePrefix)} must be 1 to 200 letters, digits, "-" and "_" ` +
        '(it names the dashboard and prefixes the alarm names)',
    );
  }
  const missing = CHANNELS.filter((channel) => channels[channel] === undefined);
  if (missing.length > 0) throw new Error(`Observability: channels is missing the channel(s) ${missing.join(', ')}`);
  const names = [...CHANNELS.map((channel) => channels[channel].name), ...feedback.map((q) => q.name)];
  for (const name of names) {
    if (!QUEUE_NAME_PATTERN.test(name)) {
      throw new Error(`Observability: queue name ${JSON.stringify(name)} must be 1 to 40 lower-case letters, digits and "-"`);
    }
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new Error(`Observability: two monitored queues are named ${JSON.stringify(duplicate)}`);
  for (const q of [...CHANNELS.map((channel) => channels[channel]), ...feedback]) {
    const seconds = q.maxMessageAge.toSeconds();
    if (!(seconds >= 60)) throw new Error(`Observability: ${q.name}.maxMessageAge must be at least 60 seconds, got ${seconds}`);
  }
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new Error(`Observability: alarmEmail must be an email address, got ${JSON.stringify(alarmEmail)}`);
  }
  if (smsMonthlySpendUsd !== undefined && !(Number.isFinite(smsMonthlySpendUsd) && smsMonthlySpendUsd > 0)) {
    throw new Error(`Observability: smsMonthlySpendUsd must be an amount above 0, got ${smsMonthlySpendUsd}`);
  }
  if (ingestLatencyP99 !== undefined && !(ingestLatencyP99.toMilliseconds() > 0)) {
    throw new Error('Observability: ingestLatencyP99 must be more than 0 ms');
  }
};
