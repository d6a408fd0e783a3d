import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel, DELIVERY_CHANNELS } from '../../functions/shared/channels.ts';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SEND_RATES } from '../../lib/config.ts';
import { planSendRate } from '../../functions/shared/send-rate.ts';
import { messageEventsTopicName } from '../../lib/constructs/message-events-topic.ts';
import { QUEUE_SETTINGS, queueName } from '../../lib/queue-settings.ts';
import { ENDPOINT_PATTERNS, FULL_CONFIG, sesArn } from './fixtures.ts';
import {
  allow,
  buildRelayStack,
  cleanupAssemblies,
  envOf,
  findOne,
  type Grant,
  getAtt,
  grantsOf,
  idOf,
  isRelayTable,
  STACK_NAME,
  sortGrants,
} from './relay-app.ts';

afterAll(cleanupAssemblies);

const { template: defaults } = buildRelayStack();
const { template: configured } = buildRelayStack({ 'cometchat-relay': FULL_CONFIG });

const queueId = (template: Template, channel: Channel) =>
  idOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === queueName(STACK_NAME, channel));
const tableId = (template: Template, role: 'directory' | 'deliveries') =>
  idOf(template, 'AWS::DynamoDB::Table', isRelayTable(role));

/** The event source mapping that reads the channel's queue, and the function it feeds: that is the consumer. */
const consumerOf = (template: Template, channel: Channel) => {
  const mapping = findOne(
    template,
    'AWS::Lambda::EventSourceMapping',
    (p) => JSON.stringify(p.EventSourceArn) === JSON.stringify(getAtt(queueId(template, channel))),
  );
  const functionId = (mapping.properties.FunctionName as { Ref: string }).Ref;
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as { Properties: Record<string, unknown> };
  return { mapping: mapping.properties, id: functionId, properties: fn.Properties };
};

/** What every consumer may do: write its logs, read its queue, and keep idempotency records. */
const commonGrants = (template: Template, channel: Channel): Grant[] => {
  const { properties } = consumerOf(template, channel);
  const logGroupId = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  return [
    ...allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroupId)]),
    ...allow(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      [getAtt(queueId(template, channel))],
    ),
    ...allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [getAtt(tableId(template, 'deliveries'))],
    ),
    // A delivery consumer sends a throttled record back to its own queue as a delayed copy (throttle-deferral.ts).
    ...(channel === 'events' ? [] : allow(['sqs:SendMessage'], [getAtt(queueId(template, channel))])),
  ];
};

const grantsOfConsumer = (template: Template, channel: Channel) => grantsOf(template, consumerOf(template, channel).id);

describe.each(CHANNELS)('%s consumer', (channel) => {
  it('runs Node.js 24 on arm64 with 512 MB and the shared consumer timeout', () => {
    expect(consumerOf(defaults, channel).properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: QUEUE_SETTINGS.consumerTimeoutSeconds,
    });
  });

  it('gets a visibility timeout of at least six times its timeout on its queue', () => {
    const timeout = consumerOf(defaults, channel).properties.Timeout as number;
    const queue = defaults.findResources('AWS::SQS::Queue')[queueId(defaults, channel)] as {
      Properties: { VisibilityTimeout: number };
    };

    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('reads batches of 10, reports partial batch failures, and sends without waiting for a batch to fill', () => {
    const { mapping } = consumerOf(defaults, channel);

    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
  });
});

/** How a channel's consumers share its send rate, for the configuration of `template`. */
const planOf = (channel: Exclude<Channel, 'events'>, rates: Record<string, number>, maxConcurrency: Record<string, number>) =>
  planSendRate({
    ratePerSecond: rates[channel] as number,
    maxInstances: maxConcurrency[channel] as number,
    timeoutSeconds: QUEUE_SETTINGS.consumerTimeoutSeconds,
  });

describe.each(DELIVERY_CHANNELS)('%s consumer send rate', (channel) => {
  it('runs as many instances as share the send rate best, never more than maxConcurrency', () => {
    const byDefault = planOf(channel, DEFAULT_SEND_RATES, DEFAULT_MAX_CONCURRENCY);
    const byConfig = planOf(channel, FULL_CONFIG.sendRates, FULL_CONFIG.maxConcurrency);

    expect(consumerOf(defaults, channel).mapping.ScalingConfig).toEqual({ MaximumConcurrency: byDefault.instances });
    expect(consumerOf(configured, channel).mapping.ScalingConfig).toEqual({ MaximumConcurrency: byConfig.instances });
    expect(byDefault.instances).toBeLessThanOrEqual(DEFAULT_MAX_CONCURRENCY[channel]);
    expect(byConfig.instances).toBeLessThanOrEqual(FULL_CONFIG.maxConcurrency[channel]);
  });

  it('gives each instance its share of the rate and its own queue, whose shares add up to at most the rate', () => {
    for (const [template, rates, maxConcurrency] of [
      [defaults, DEFAULT_SEND_RATES, DEFAULT_MAX_CONCURRENCY],
      [configured, FULL_CONFIG.sendRates, FULL_CONFIG.maxConcurrency],
    ] as const) {
      const plan = planOf(channel, rates, maxConcurrency);
      const { mapping, properties } = consumerOf(template, channel);

      expect(envOf(properties)).toMatchObject({
        SEND_RATE_LIMIT: String(plan.limit),
        SEND_RATE_WINDOW_MS: String(plan.windowMs),
        QUEUE_URL: { Ref: queueId(template, channel) },
      });
      expect(mapping.BatchSize).toBe(plan.batchSize);
      expect((plan.instances * plan.limit * 1000) / plan.windowMs).toBeLessThanOrEqual(rates[channel]);
    }
  });

  it('may put a throttled record back on its own queue (a delayed copy), and on no other', () => {
    const sends = grantsOfConsumer(defaults, channel).grants.filter((g) => g.action === 'sqs:SendMessage');

    expect(sends).toEqual(allow(['sqs:SendMessage'], [getAtt(queueId(defaults, channel))]));
  });
});

describe('events consumer concurrency', () => {
  it('runs at most the default maxConcurrency, or the configured one (the events topic has no provider rate)', () => {
    expect(consumerOf(defaults, 'events').mapping.ScalingConfig).toEqual({ MaximumConcurrency: DEFAULT_MAX_CONCURRENCY.events });
    expect(consumerOf(configured, 'events').mapping.ScalingConfig).toEqual({
      MaximumConcurrency: FULL_CONFIG.maxConcurrency.events,
    });
  });
});

describe.each(CHANNELS)('%s consumer', (channel) => {
  it('gets the delivery table and the Powertools settings every consumer reads', () => {
    expect(envOf(consumerOf(defaults, channel).properties)).toMatchObject({
      DELIVERY_TABLE: { Ref: tableId(defaults, 'deliveries') },
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroupRef = (consumerOf(defaults, channel).properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

    expect(defaults.findResources('AWS::Logs::LogGroup')[logGroupRef]).toMatchObject({ Properties: { RetentionInDays: 30 } });
  });

  it("has no managed policy, no wildcard action, and touches no other channel's queue", () => {
    for (const template of [defaults, configured]) {
      const { managedPolicyArns, grants, denies } = grantsOfConsumer(template, channel);
      const otherQueues = CHANNELS.filter((other) => other !== channel).map((other) => queueId(template, other));

      expect(managedPolicyArns).toEqual([]);
      // The SMS consumer's one Deny: publishing to anything addressed by ARN (topics, endpoints).
      expect(denies).toBe(channel === 'sms' ? 1 : 0);
      expect(grants.filter((g) => g.action.includes('*'))).toEqual([]);
      expect(JSON.stringify(grants)).not.toMatch(new RegExp(otherQueues.join('|')));
    }
  });
});

describe.each(DELIVERY_CHANNELS)('%s consumer (a delivery channel)', (channel) => {
  it('gets the directory table', () => {
    expect(envOf(consumerOf(defaults, channel).properties).DIRECTORY_TABLE).toEqual({ Ref: tableId(defaults, 'directory') });
  });
});

describe('push consumer permissions', () => {
  it('may query the directory and delete dead devices from it, and publish nowhere while no application is configured', () => {
    expect(grantsOfConsumer(defaults, 'push').grants).toEqual(
      sortGrants([
        ...commonGrants(defaults, 'push'),
        ...allow(['dynamodb:Query', 'dynamodb:DeleteItem'], [getAtt(tableId(defaults, 'directory'))]),
      ]),
    );
  });

  it('may publish to endpoints of the configured applications only, and delete none (the directory function does)', () => {
    expect(grantsOfConsumer(configured, 'push').grants).toEqual(
      sortGrants([
        ...commonGrants(configured, 'push'),
        ...allow(['dynamodb:Query', 'dynamodb:DeleteItem'], [getAtt(tableId(configured, 'directory'))]),
        ...allow(['sns:Publish'], ENDPOINT_PATTERNS),
      ]),
    );
  });

  it('cannot publish to an arbitrary target (topics, phone numbers)', () => {
    const sns = grantsOfConsumer(configured, 'push').grants.filter((g) => g.action.startsWith('sns:'));

    expect(sns.map((g) => g.resource)).not.toContain('*');
    for (const { resource } of sns)
      expect(resource).toMatch(/^arn:aws:sns:eu-west-1:123456789012:endpoint\/[A-Z_]+\/[\w.-]+\/\*$/);
  });
});

describe('sms consumer permissions', () => {
  it('may read contacts and publish SMS (which IAM names as "*"), and nothing of SES', () => {
    for (const template of [defaults, configured]) {
      expect(grantsOfConsumer(template, 'sms').grants).toEqual(
        sortGrants([
          ...commonGrants(template, 'sms'),
          ...allow(['dynamodb:GetItem'], [getAtt(tableId(template, 'directory'))]),
          ...allow(['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'], ['*']),
        ]),
      );
    }
  });

  it('is explicitly denied publishing to anything addressed by ARN (topics, platform endpoints)', () => {
    const statements = Object.values(
      defaults.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }
      >,
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement);

    expect(statements.filter((statement) => statement.Effect === 'Deny')).toEqual([
      {
        Effect: 'Deny',
        Action: 'sns:Publish',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] },
      },
    ]);
  });

  it('gets the SMS settings, empty when unset', () => {
    expect(envOf(consumerOf(defaults, 'sms').properties)).toMatchObject({
      SMS_SENDER_ID: '',
      SMS_ORIGINATION_NUMBER: '',
      SMS_MAX_PRICE: '',
    });
    expect(envOf(consumerOf(configured, 'sms').properties)).toMatchObject({
      SMS_SENDER_ID: 'MyApp',
      SMS_ORIGINATION_NUMBER: '+14155550100',
      SMS_MAX_PRICE: '0.50',
    });
  });
});

describe('email consumer permissions', () => {
  it('may read contacts, and send nothing while no sender is configured', () => {
    expect(grantsOfConsumer(defaults, 'email').grants).toEqual(
      sortGrants([...commonGrants(defaults, 'email'), ...allow(['dynamodb:GetItem'], [getAtt(tableId(defaults, 'directory'))])]),
    );
  });

  it('may send as the configured sender only (ses:FromAddress), to any identity (SES sandbox recipients), with the configured configuration set, and cannot publish to SNS', () => {
    expect(grantsOfConsumer(configured, 'email').grants).toEqual(
      sortGrants([
        ...commonGrants(configured, 'email'),
        ...allow(['dynamodb:GetItem'], [getAtt(tableId(configured, 'directory'))]),
        ...allow(['ses:SendEmail'], [sesArn('identity/*'), sesArn('configuration-set/relay-events')], {
          StringEquals: { 'ses:FromAddress': 'notifications@example.com' },
        }),
      ]),
    );
  });

  it('gets the sender, empty when unset, and the configuration set in use: the configured one, or the one the stack creates', () => {
    expect(envOf(consumerOf(defaults, 'email').properties)).toMatchObject({
      SENDER_EMAIL: '',
      SES_CONFIGURATION_SET: { Ref: idOf(defaults, 'AWS::SES::ConfigurationSet', () => true) },
    });
    expect(envOf(consumerOf(configured, 'email').properties)).toMatchObject({
      SENDER_EMAIL: 'notifications@example.com',
      SES_CONFIGURATION_SET: 'relay-events',
    });
  });

  it('without a configured configuration set, may send from the sender identity with the set the stack creates only', () => {
    const { template } = buildRelayStack({ 'cometchat-relay': { senderEmail: 'relay@example.org' } });
    const ses = grantsOfConsumer(template, 'email').grants.filter((g) => g.action.startsWith('ses:'));
    const configurationSetArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':configuration-set/',
          { Ref: idOf(template, 'AWS::SES::ConfigurationSet', () => true) },
        ],
      ],
    };

    expect(ses).toEqual(
      sortGrants(
        allow(['ses:SendEmail'], [sesArn('identity/*'), configurationSetArn], {
          StringEquals: { 'ses:FromAddress': 'relay@example.org' },
        }),
      ),
    );
  });
});

describe('events consumer', () => {
  const topicId = (template: Template) =>
    idOf(template, 'AWS::SNS::Topic', (p) => p.TopicName === messageEventsTopicName(STACK_NAME));
  const keyId = (template: Template) =>
    (
      findOne(template, 'AWS::SNS::Topic', (p) => p.TopicName === messageEventsTopicName(STACK_NAME)).properties
        .KmsMasterKeyId as {
        'Fn::GetAtt': [string, string];
      }
    )['Fn::GetAtt'][0];

  it('gets the topic to publish to, the delivery table, and no directory', () => {
    const env = envOf(consumerOf(defaults, 'events').properties);

    expect(env).toEqual({
      EVENTS_TOPIC_ARN: { Ref: topicId(defaults) },
      DELIVERY_TABLE: { Ref: tableId(defaults, 'deliveries') },
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('may publish to the message-events topic only, using its key only through SNS, and touch no directory', () => {
    for (const template of [defaults, configured]) {
      expect(grantsOfConsumer(template, 'events').grants).toEqual(
        sortGrants([
          ...commonGrants(template, 'events'),
          ...allow(['sns:Publish'], [{ Ref: topicId(template) }]),
          ...allow(['kms:Decrypt', 'kms:GenerateDataKey'], [getAtt(keyId(template))], {
            StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          }),
        ]),
      );
    }
  });
});

describe('consumer start-up order', () => {
  it.each(['push', 'sms'] as const)('the %s consumer is created after the policy that lets it publish', (channel) => {
    const { id, properties } = consumerOf(configured, channel);
    const roleRef = JSON.stringify({ Ref: (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0] });
    const publishPolicies = Object.entries(
      configured.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { Roles: unknown[]; PolicyDocument: unknown } }
      >,
    )
      .filter(([, policy]) => policy.Properties.Roles.some((role) => JSON.stringify(role) === roleRef))
      // The policy that allows publishing (the SMS consumer's Deny of ARN-addressed publishes sits in its default policy).
      .filter(([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: { Effect: string; Action: unknown }[] }).Statement.some(
          (statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Action).includes('sns:Publish'),
        ),
      )
      .map(([policyId]) => policyId);
    const fn = configured.findResources('AWS::Lambda::Function')[id] as { DependsOn: string[] };

    expect(publishPolicies).toHaveLength(1);
    expect(fn.DependsOn).toEqual(expect.arrayContaining(publishPolicies));
  });
});
