import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type FeedbackSource,
  feedbackDeadLetterQueueName,
  feedbackQueueName,
} from '../../functions/feedback/feedback-sources.ts';
import { FeedbackPipeline } from '../../lib/constructs/feedback-pipeline.ts';
import { PushFeedback, pushFeedbackTopicName } from '../../lib/constructs/push-feedback.ts';
import { RelayTables } from '../../lib/constructs/relay-tables.ts';
import { SesFeedback, sesFeedbackTopicName } from '../../lib/constructs/ses-feedback.ts';
import { QUEUE_SETTINGS, visibilityTimeoutSeconds } from '../../lib/queue-settings.ts';
import { DIRECTORY_TABLE } from '../../lib/table-settings.ts';
import { APNS_ARN, ENDPOINT_PATTERNS, FULL_CONFIG } from './fixtures.ts';
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
  testAppProps,
} from './relay-app.ts';

afterAll(cleanupAssemblies);

const { template: defaults } = buildRelayStack();
const { template: configured } = buildRelayStack({ 'cometchat-relay': FULL_CONFIG });

type Props = Record<string, unknown>;

const queueOf = (template: Template, source: FeedbackSource) =>
  findOne(template, 'AWS::SQS::Queue', (p) => p.QueueName === feedbackQueueName(STACK_NAME, source));
const deadLetterQueueOf = (template: Template, source: FeedbackSource) =>
  findOne(template, 'AWS::SQS::Queue', (p) => p.QueueName === feedbackDeadLetterQueueName(STACK_NAME, source));
const topicOf = (template: Template, source: FeedbackSource) =>
  findOne(
    template,
    'AWS::SNS::Topic',
    (p) => p.TopicName === (source === 'ses' ? sesFeedbackTopicName(STACK_NAME) : pushFeedbackTopicName(STACK_NAME)),
  );
const directoryId = (template: Template) => idOf(template, 'AWS::DynamoDB::Table', isRelayTable('directory'));
const mappingOf = (template: Template, source: FeedbackSource) =>
  findOne(
    template,
    'AWS::Lambda::EventSourceMapping',
    (p) => JSON.stringify(p.EventSourceArn) === JSON.stringify(getAtt(queueOf(template, source).id)),
  );
const consumerOf = (template: Template, source: FeedbackSource) => {
  const id = (mappingOf(template, source).properties.FunctionName as { Ref: string }).Ref;
  return { id, properties: (template.findResources('AWS::Lambda::Function')[id] as { Properties: Props }).Properties };
};

/** What every feedback consumer may do: write its logs and read its queue. */
const commonGrants = (template: Template, source: FeedbackSource): Grant[] => {
  const logGroupId = (consumerOf(template, source).properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  return [
    ...allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroupId)]),
    ...allow(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      [getAtt(queueOf(template, source).id)],
    ),
  ];
};

describe.each(['ses', 'push'] as const)('%s feedback pipeline', (source) => {
  it('subscribes its queue to the topic with raw message delivery', () => {
    defaults.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: topicOf(defaults, source).id },
      Endpoint: getAtt(queueOf(defaults, source).id),
      RawMessageDelivery: true,
    });
  });

  it('lets only its topic send to the queue', () => {
    defaults.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueOf(defaults, source).id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicOf(defaults, source).id } } },
          }),
        ]),
      },
    });
  });

  it('redrives to its DLQ after 5 receives, like the channel queues, both encrypted and refusing plain HTTP', () => {
    const queue = queueOf(defaults, source);
    const dlq = deadLetterQueueOf(defaults, source);

    expect(queue.properties).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlq.id), maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
      VisibilityTimeout: visibilityTimeoutSeconds(),
      SqsManagedSseEnabled: true,
    });
    expect(dlq.properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    for (const { id } of [queue, dlq]) {
      defaults.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds its consumer batches of 10, reporting batch item failures, two at a time', () => {
    expect(mappingOf(defaults, source).properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('runs its consumer on Node.js 24 with the directory and the Powertools settings, logging with the configured retention', () => {
    const { properties } = consumerOf(defaults, source);
    const logGroupRef = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: QUEUE_SETTINGS.consumerTimeoutSeconds,
    });
    expect(envOf(properties)).toEqual({
      DIRECTORY_TABLE: { Ref: directoryId(defaults) },
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(defaults.findResources('AWS::Logs::LogGroup')[logGroupRef]).toMatchObject({ Properties: { RetentionInDays: 30 } });
  });
});

describe('SES feedback', () => {
  const configurationSetId = () => idOf(defaults, 'AWS::SES::ConfigurationSet', () => true);
  const keyOf = (template: Template) =>
    (topicOf(template, 'ses').properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  it('creates a configuration set when none is configured, and sends every email with it', () => {
    defaults.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: `${STACK_NAME}-email` });
    defaults.hasOutput('SesConfigurationSetName', { Value: { Ref: configurationSetId() } });
  });

  it('publishes its bounces and complaints, and nothing else, to the SES feedback topic', () => {
    defaults.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId() },
      EventDestination: {
        Enabled: true,
        Name: `${STACK_NAME}-feedback`,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicOf(defaults, 'ses').id } },
      },
    });
  });

  it("adds the destination to the user's own configuration set when one is configured, and creates none", () => {
    configured.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    configured.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: FULL_CONFIG.sesConfigurationSet,
      EventDestination: Match.objectLike({
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicOf(configured, 'ses').id } },
      }),
    });
    configured.hasOutput('SesConfigurationSetName', { Value: FULL_CONFIG.sesConfigurationSet });
  });

  it('lets SES publish to the topic for this configuration set only, over TLS only', () => {
    configured.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicOf(configured, 'ses').id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                'AWS:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([`:configuration-set/${FULL_CONFIG.sesConfigurationSet}`])],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('encrypts the topic with a rotating key of its own, which SES may use', () => {
    const key = defaults.findResources('AWS::KMS::Key')[keyOf(defaults)] as { Properties: Props };

    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect((key.Properties.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it('may read contacts and mark them undeliverable, and nothing else', () => {
    for (const template of [defaults, configured]) {
      const { grants, managedPolicyArns, denies } = grantsOf(template, consumerOf(template, 'ses').id);

      expect(managedPolicyArns).toEqual([]);
      expect(denies).toBe(0);
      expect(grants).toEqual(
        sortGrants([
          ...commonGrants(template, 'ses'),
          ...allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [getAtt(directoryId(template))]),
        ]),
      );
    }
  });
});

describe('push feedback', () => {
  it('is a topic for the platform applications to send their endpoint events to, whose ARN is an output', () => {
    defaults.hasOutput('PushFeedbackTopicArn', {
      Value: { Ref: topicOf(defaults, 'push').id },
      Description: Match.stringLikeRegexp('EventEndpointUpdated and EventDeliveryFailure'),
    });
  });

  it("keeps SNS's default topic policy and encryption, under which SNS publishes platform events itself", () => {
    const topicRef = JSON.stringify({ Ref: topicOf(defaults, 'push').id });
    const policies = Object.values(defaults.findResources('AWS::SNS::TopicPolicy') as Record<string, { Properties: Props }>);

    expect(topicOf(defaults, 'push').properties.KmsMasterKeyId).toBeUndefined();
    expect(policies.filter(({ Properties }) => JSON.stringify(Properties.Topics).includes(topicRef))).toEqual([]);
  });

  it('may find devices by token and remove them, and read no endpoint while no application is configured', () => {
    const { grants, managedPolicyArns, denies } = grantsOf(defaults, consumerOf(defaults, 'push').id);

    expect(managedPolicyArns).toEqual([]);
    expect(denies).toBe(0);
    expect(grants).toEqual(
      sortGrants([
        ...commonGrants(defaults, 'push'),
        ...allow(['dynamodb:GetItem', 'dynamodb:DeleteItem'], [getAtt(directoryId(defaults))]),
        ...allow(
          ['dynamodb:Query'],
          [{ 'Fn::Join': ['', [getAtt(directoryId(defaults)), `/index/${DIRECTORY_TABLE.tokenIndex.indexName}`]] }],
        ),
      ]),
    );
  });

  it('may read the endpoints of the configured applications only, once that policy exists', () => {
    const { id } = consumerOf(configured, 'push');
    const { grants } = grantsOf(configured, id);
    const role = JSON.stringify({
      Ref: (configured.findResources('AWS::Lambda::Function')[id] as { Properties: { Role: { 'Fn::GetAtt': [string] } } })
        .Properties.Role['Fn::GetAtt'][0],
    });
    const endpointPolicy = idOf(
      configured,
      'AWS::IAM::Policy',
      (p) => JSON.stringify(p.Roles).includes(role) && JSON.stringify(p.PolicyDocument).includes('sns:GetEndpointAttributes'),
    );

    expect(grants).toEqual(
      sortGrants([
        ...commonGrants(configured, 'push'),
        ...allow(['dynamodb:GetItem', 'dynamodb:DeleteItem'], [getAtt(directoryId(configured))]),
        ...allow(
          ['dynamodb:Query'],
          [{ 'Fn::Join': ['', [getAtt(directoryId(configured)), `/index/${DIRECTORY_TABLE.tokenIndex.indexName}`]] }],
        ),
        ...allow(['sns:GetEndpointAttributes'], ENDPOINT_PATTERNS),
      ]),
    );
    expect((configured.findResources('AWS::Lambda::Function')[id] as { DependsOn: string[] }).DependsOn).toContain(
      endpointPolicy,
    );
  });

  it('is left out when pushFeedback is false: no topic, queues, consumer, alarms or output', () => {
    const { template } = buildRelayStack({ 'cometchat-relay': { pushFeedback: false } });
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Props }>).map(
      ({ Properties }) => String(Properties.AlarmName),
    );

    expect(JSON.stringify(template.toJSON())).not.toContain('push-feedback');
    expect(names.filter((name) => name.includes('push-feedback'))).toEqual([]);
    expect(names).toHaveLength(24);
    expect(Object.keys(template.findOutputs('PushFeedbackTopicArn'))).toEqual([]);
  });
});

describe('feedback constructs', () => {
  const newStack = () => new Stack(new App(testAppProps()), 'test');
  const built = (stack: Stack) =>
    stack.node.findAll().filter((c) => c instanceof Queue || c instanceof LambdaFunction || c instanceof Topic);
  const directoryIn = (stack: Stack) => new RelayTables(stack, 'Tables', { tableNamePrefix: 'relay' }).directoryTable;

  it('FeedbackPipeline refuses an unknown source, a name SQS would refuse or an impossible concurrency, before building anything', () => {
    const stack = newStack();
    const topic = Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:feedback');
    const props = {
      source: 'ses' as const,
      topic,
      queueNamePrefix: 'relay',
      entry: 'functions/feedback/ses-feedback-handler.ts',
      description: 'test',
      roleDescription: 'test',
      environment: {},
    };

    expect(() => new FeedbackPipeline(stack, 'A', { ...props, source: 'sms' as never })).toThrow(/unknown source "sms"/);
    expect(() => new FeedbackPipeline(stack, 'B', { ...props, queueNamePrefix: 'my relay' })).toThrow(/queueNamePrefix/);
    expect(() => new FeedbackPipeline(stack, 'C', { ...props, maxConcurrency: 1 })).toThrow(/maxConcurrency/);
    expect(() => new FeedbackPipeline(stack, 'D', { ...props, memorySize: 64 })).toThrow(/memorySize/);
    expect(built(stack)).toEqual([]);
  });

  it('SesFeedback refuses a configuration set name SES would refuse, or a prefix too long for its SES names, before building anything', () => {
    const stack = newStack();
    const directoryTable = directoryIn(stack);

    expect(
      () => new SesFeedback(stack, 'A', { namePrefix: 'relay', directoryTable, configurationSetName: 'relay events' }),
    ).toThrow(/configurationSetName/);
    expect(() => new SesFeedback(stack, 'B', { namePrefix: 'x'.repeat(60), directoryTable })).toThrow(/at most 64 characters/);
    expect(built(stack)).toEqual([]);
  });

  it('PushFeedback refuses a platform application of the wrong platform, before building anything', () => {
    const stack = newStack();
    const directoryTable = directoryIn(stack);

    expect(
      () => new PushFeedback(stack, 'Push', { namePrefix: 'relay', directoryTable, platformApplicationArns: { fcm: APNS_ARN } }),
    ).toThrow(/platformApplicationArns\.fcm/);
    expect(built(stack)).toEqual([]);
  });

  it('SesFeedback names the set in use: its own, or the one it creates', () => {
    const stack = newStack();
    const directoryTable = directoryIn(stack);
    const own = new SesFeedback(stack, 'Own', { namePrefix: 'a', directoryTable, configurationSetName: 'mine' });
    const created = new SesFeedback(stack, 'Created', { namePrefix: 'b', directoryTable });

    expect(own.createsConfigurationSet).toBe(false);
    expect(own.configurationSetName).toBe('mine');
    expect(created.createsConfigurationSet).toBe(true);
    expect(stack.resolve(created.configurationSetName)).toEqual({ Ref: expect.stringMatching(/^CreatedConfigurationSet/) });
    Template.fromStack(stack).resourceCountIs('AWS::SES::ConfigurationSet', 1);
  });
});
