import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Function as LambdaFunction, InlineCode, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { feedbackDeadLetterQueueName, feedbackQueueName } from '../../functions/feedback/feedback-sources.ts';
import { CHANNELS } from '../../functions/shared/channels.ts';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../functions/shared/metric-names.ts';
import { DEFAULT_OLDEST_MESSAGE_AGE_SECONDS } from '../../lib/config.ts';
import {
  alarmTopicName,
  type MonitoredQueue,
  Observability,
  QUEUE_ALARM_KINDS,
  RELAY_ALARM_KINDS,
} from '../../lib/constructs/observability.ts';
import { deadLetterQueueName, queueName } from '../../lib/queue-settings.ts';
import { FULL_CONFIG } from './fixtures.ts';
import { buildRelayStack, cleanupAssemblies, envOf, findOne, getAtt, idOf, STACK_NAME, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

const { template: defaults } = buildRelayStack();
const { template: configured } = buildRelayStack({ 'cometchat-relay': FULL_CONFIG });

type Props = Record<string, unknown>;

/** Every queue the alarms watch: the four channels and the two feedback loops, with their physical names. */
const MONITORED = [
  ...CHANNELS.map((channel) => ({
    name: channel as string,
    queue: queueName(STACK_NAME, channel),
    dlq: deadLetterQueueName(STACK_NAME, channel),
  })),
  ...(['ses', 'push'] as const).map((source) => ({
    name: `${source}-feedback`,
    queue: feedbackQueueName(STACK_NAME, source),
    dlq: feedbackDeadLetterQueueName(STACK_NAME, source),
  })),
];

const alarm = (template: Template, name: string): Props =>
  findOne(template, 'AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${STACK_NAME}-${name}`).properties;
const queueId = (template: Template, name: string) => idOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === name);
const alarmTopicId = (template: Template) => idOf(template, 'AWS::SNS::Topic', (p) => p.TopicName === alarmTopicName(STACK_NAME));
/** The function the event source mapping of `queue` feeds. */
const consumerOf = (template: Template, queue: string) =>
  (
    findOne(
      template,
      'AWS::Lambda::EventSourceMapping',
      (p) => JSON.stringify(p.EventSourceArn) === JSON.stringify(getAtt(queueId(template, queue))),
    ).properties.FunctionName as { Ref: string }
  ).Ref;

describe('alarms on every queue, its DLQ and its consumer', () => {
  describe.each(MONITORED)('$name', ({ name, queue, dlq }) => {
    it('fires as soon as one message is in the DLQ', () => {
      expect(alarm(defaults, `${name}-dlq-not-empty`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId(defaults, dlq), 'QueueName') }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    it('fires when the oldest message has been too old for 3 minutes', () => {
      expect(alarm(defaults, `${name}-oldest-message-age`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId(defaults, queue), 'QueueName') }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
      });
    });

    it.each([
      ['consumer-errors', 'Errors'],
      ['consumer-throttles', 'Throttles'],
    ])('fires on any consumer %s in 5 minutes', (kind, metricName) => {
      expect(alarm(defaults, `${name}-${kind}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: consumerOf(defaults, queue) } }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
      });
    });
  });

  it.each(CHANNELS)('takes the %s queue-age threshold from alarms.oldestMessageAgeSeconds (default, configured)', (channel) => {
    expect(alarm(defaults, `${channel}-oldest-message-age`).Threshold).toBe(DEFAULT_OLDEST_MESSAGE_AGE_SECONDS[channel]);
    expect(alarm(configured, `${channel}-oldest-message-age`).Threshold).toBe(
      FULL_CONFIG.alarms.oldestMessageAgeSeconds[channel],
    );
  });

  it('gives the feedback queues an hour: nobody waits on feedback the way they wait on a notification', () => {
    expect(alarm(defaults, 'ses-feedback-oldest-message-age').Threshold).toBe(3600);
    expect(alarm(defaults, 'push-feedback-oldest-message-age').Threshold).toBe(3600);
  });
});

describe('alarms on the whole relay', () => {
  const stage = () => findOne(defaults, 'AWS::ApiGatewayV2::Stage', () => true).properties;
  const apiDimensions = () => [
    { Name: 'ApiId', Value: stage().ApiId },
    { Name: 'Stage', Value: '$default' },
  ];

  it('fires on any 5xx answer of the webhook API in 5 minutes', () => {
    expect(alarm(defaults, 'api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: apiDimensions(),
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
  });

  it('fires when the API latency p99 is above alarms.ingestLatencyP99Ms in 3 of 5 minutes', () => {
    const expected = {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: apiDimensions(),
      ExtendedStatistic: 'p99',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    };

    expect(alarm(defaults, 'api-latency-p99')).toMatchObject({ ...expected, Threshold: 1500 });
    expect(alarm(configured, 'api-latency-p99')).toMatchObject({ ...expected, Threshold: FULL_CONFIG.alarms.ingestLatencyP99Ms });
  });

  it("fires when the account's SMS spend this month passes alarms.smsMonthlySpendUsd, and keeps its state without data", () => {
    const expected = {
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    };

    expect(alarm(defaults, 'sms-monthly-spend')).toMatchObject({ ...expected, Threshold: 50 });
    expect(alarm(defaults, 'sms-monthly-spend').Dimensions).toBeUndefined();
    expect(alarm(configured, 'sms-monthly-spend')).toMatchObject({
      ...expected,
      Threshold: FULL_CONFIG.alarms.smsMonthlySpendUsd,
    });
  });

  it('fires on any before_message policy error (a message let through unchecked)', () => {
    expect(alarm(defaults, 'policy-errors')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC_NAMES.policyErrors,
      Dimensions: [{ Name: 'service', Value: 'cometchat-relay' }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
  });

  it('reads the namespace and service every function writes its metrics under', () => {
    const functions = Object.values(defaults.findResources('AWS::Lambda::Function') as Record<string, { Properties: Props }>);

    expect(functions.length).toBeGreaterThan(0);
    for (const { Properties } of functions) {
      expect(envOf(Properties)).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: alarm(defaults, 'policy-errors').Namespace,
        POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      });
    }
  });
});

describe('every alarm', () => {
  const alarms = (template: Template) =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Props }>).map(
      ({ Properties }) => Properties,
    );
  const expectedNames = MONITORED.flatMap(({ name }) => QUEUE_ALARM_KINDS.map((kind) => `${STACK_NAME}-${name}-${kind}`)).concat(
    RELAY_ALARM_KINDS.map((kind) => `${STACK_NAME}-${kind}`),
  );

  it('is one of the documented alarms, and each documented alarm exists', () => {
    expect(
      alarms(defaults)
        .map((a) => a.AlarmName)
        .sort(),
    ).toEqual([...expectedNames].sort());
    expect(expectedNames).toHaveLength(28);
  });

  it('notifies the alarm topic when it fires and when it clears', () => {
    for (const template of [defaults, configured]) {
      for (const properties of alarms(template)) {
        expect(properties.AlarmActions, String(properties.AlarmName)).toEqual([{ Ref: alarmTopicId(template) }]);
        expect(properties.OKActions, String(properties.AlarmName)).toEqual([{ Ref: alarmTopicId(template) }]);
      }
    }
  });

  it('says what it means and what to do, and links its section of docs/alarms.md', () => {
    for (const properties of alarms(defaults)) {
      const kind = [...QUEUE_ALARM_KINDS, ...RELAY_ALARM_KINDS].find((k) => String(properties.AlarmName).endsWith(`-${k}`));
      const description = String(properties.AlarmDescription);

      expect(description).toContain('What to do:');
      expect(description).toContain(`docs/alarms.md#${kind}`);
      expect(description.length).toBeLessThanOrEqual(1024);
    }
  });
});

describe('alarm topic', () => {
  const topic = (template: Template) => findOne(template, 'AWS::SNS::Topic', (p) => p.TopicName === alarmTopicName(STACK_NAME));
  const emailSubscriptions = (template: Template) =>
    Object.values(template.findResources('AWS::SNS::Subscription') as Record<string, { Properties: Props }>)
      .map(({ Properties }) => Properties)
      .filter((p) => p.Protocol === 'email');

  it('is encrypted with a rotating key of its own, which CloudWatch may use', () => {
    const keyId = (topic(defaults).properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = defaults.findResources('AWS::KMS::Key')[keyId] as { Properties: Props };

    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect((key.Properties.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it("lets this account's CloudWatch alarms publish, and refuses plain HTTP", () => {
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic(defaults).id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':alarm:*'])] }) },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('has an email subscription only when alarms.email is configured', () => {
    expect(emailSubscriptions(defaults)).toEqual([]);
    expect(emailSubscriptions(configured)).toEqual([
      { Protocol: 'email', Endpoint: FULL_CONFIG.alarms.email, TopicArn: { Ref: topic(configured).id } },
    ]);
  });

  it('outputs its ARN', () => {
    defaults.hasOutput('AlarmTopicArn', { Value: { Ref: topic(defaults).id } });
  });
});

describe('dashboard', () => {
  /** The dashboard body as text, with each reference written as its JSON (`{"Fn::GetAtt":["<id>","QueueName"]}`). */
  const body = (template: Template) => {
    const { properties } = findOne(template, 'AWS::CloudWatch::Dashboard', () => true);
    const parts = (properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
  };

  it('is named after the stack', () => {
    defaults.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: STACK_NAME });
  });

  it('graphs every queue and DLQ: enqueued, depth, age, dead letters', () => {
    const text = body(defaults);

    for (const { queue, dlq } of MONITORED) {
      expect(text).toContain(JSON.stringify(getAtt(queueId(defaults, queue), 'QueueName')));
      expect(text).toContain(JSON.stringify(getAtt(queueId(defaults, dlq), 'QueueName')));
    }
    for (const metric of ['NumberOfMessagesSent', 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      expect(text).toContain(`"${metric}"`);
    }
  });

  it("follows a notification through the relay's own metrics, and the API's and consumers'", () => {
    const text = body(defaults);

    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(name);
    for (const metric of ['"Count"', '"4xx"', '"5xx"', '"Latency"', '"Errors"', '"Throttles"', '"SMSMonthToDateSpentUSD"']) {
      expect(text).toContain(metric);
    }
    for (const outcome of ['sent', 'skipped', 'retry', 'failed']) expect(text).toContain(`"outcome","${outcome}"`);
  });

  it("graphs the ingest functions' own Duration, since an accepted webhook writes no EMF record", () => {
    const text = body(defaults);
    const ingestFunctions = Object.entries(defaults.findResources('AWS::Lambda::Function')).filter(([id]) =>
      /IngestApi.*(Push|Sms|Email|Events).*Function/.test(id),
    );

    expect(ingestFunctions).toHaveLength(4);
    for (const [id] of ingestFunctions) expect(text).toContain(`"Duration","FunctionName","${JSON.stringify({ Ref: id })}"`);
  });

  it('shows the state of every alarm', () => {
    const text = body(defaults);

    for (const id of Object.keys(defaults.findResources('AWS::CloudWatch::Alarm'))) {
      expect(text).toContain(JSON.stringify(getAtt(id)));
    }
  });

  it('outputs its console URL', () => {
    const dashboardId = idOf(defaults, 'AWS::CloudWatch::Dashboard', () => true);

    defaults.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: 'AWS::Region' },
            '.console.aws.amazon.com/cloudwatch/home?region=',
            { Ref: 'AWS::Region' },
            '#dashboards:name=',
            { Ref: dashboardId },
          ],
        ],
      },
    });
  });
});

describe('Observability', () => {
  const monitoredIn = (stack: Stack, name: string, id = name): MonitoredQueue => ({
    name,
    queue: new Queue(stack, `${id}Q`),
    deadLetterQueue: new Queue(stack, `${id}Dlq`),
    consumer: new LambdaFunction(stack, `${id}Fn`, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: new InlineCode('export const handler = async () => {};'),
    }),
    maxMessageAge: Duration.minutes(10),
  });
  const propsIn = (stack: Stack) => ({
    namePrefix: 'relay',
    stage: new HttpApi(stack, 'Api').defaultStage as never,
    channels: {
      push: monitoredIn(stack, 'push'),
      sms: monitoredIn(stack, 'sms'),
      email: monitoredIn(stack, 'email'),
      events: monitoredIn(stack, 'events'),
    },
  });
  const newStack = () => new Stack(new App(testAppProps()), 'test');

  it('builds the alarms of the given queues only, prefixed, with no email subscription by default', () => {
    const stack = newStack();
    const observability = new Observability(stack, 'Ops', propsIn(stack));
    const template = Template.fromStack(stack);

    expect(Object.keys(observability.alarms)).toHaveLength(4 * 4 + 4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'relay-sms-dlq-not-empty' });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it.each([
    ['namePrefix', { namePrefix: 'my relay' }],
    ['alarmEmail', { alarmEmail: 'oncall' }],
    ['smsMonthlySpendUsd', { smsMonthlySpendUsd: -1 }],
    ['smsMonthlySpendUsd', { smsMonthlySpendUsd: 0 }],
    ['ingestLatencyP99', { ingestLatencyP99: Duration.millis(0) }],
  ])('refuses a wrong %s before building anything', (key, override) => {
    const stack = newStack();
    const props = propsIn(stack);

    expect(() => new Observability(stack, 'Ops', { ...props, ...override })).toThrow(new RegExp(key));
    expect(stack.node.findAll().filter((c) => c instanceof Alarm)).toEqual([]);
  });

  it('refuses two monitored queues of one name, and a missing channel', () => {
    const stack = newStack();
    const props = propsIn(stack);

    expect(() => new Observability(stack, 'A', { ...props, feedback: [monitoredIn(stack, 'push', 'other')] })).toThrow(
      /two monitored queues are named "push"/,
    );
    expect(() => new Observability(stack, 'B', { ...props, channels: { ...props.channels, sms: undefined as never } })).toThrow(
      /missing the channel\(s\) sms/,
    );
  });
});
