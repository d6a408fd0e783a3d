import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../functions/shared/channels.ts';
import { type ChannelDelivery, ChannelPipeline } from '../../lib/constructs/channel-pipeline.ts';
import { ChannelQueue } from '../../lib/constructs/channel-queue.ts';
import { DirectoryApi } from '../../lib/constructs/directory-api.ts';
import { IngestApi } from '../../lib/constructs/ingest-api.ts';
import { MessageEventsTopic } from '../../lib/constructs/message-events-topic.ts';
import { BeforeMessageWebhook } from '../../lib/constructs/before-message-webhook.ts';
import { RelayFunction } from '../../lib/constructs/relay-function.ts';
import { RelayTables } from '../../lib/constructs/relay-tables.ts';
import { APNS_ARN, FCM_ARN } from './fixtures.ts';
import { buildRelayStack, cleanupAssemblies, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

const newStack = () => new Stack(new App(testAppProps()), 'test');

/** The example policy at the repository root: valid, and shipped with the project. */
const POLICY_EXAMPLE = fileURLToPath(new URL('../../policy.example.json', import.meta.url));

describe('ChannelQueue', () => {
  it('names the queues <prefix>-<channel> and <prefix>-<channel>-dlq', () => {
    const stack = newStack();
    const { queue, deadLetterQueue } = new ChannelQueue(stack, 'Sms', { channel: 'sms', queueNamePrefix: 'relay' });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-sms', MaximumMessageSize: 1_048_576 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-sms-dlq', MaximumMessageSize: 1_048_576 });
    expect(queue.deadLetterQueue?.queue).toBe(deadLetterQueue);
  });

  it('refuses a prefix SQS would refuse, before building anything', () => {
    const stack = newStack();

    expect(() => new ChannelQueue(stack, 'Push', { channel: 'push', queueNamePrefix: 'my relay' })).toThrow(/queueNamePrefix/);
    expect(() => new ChannelQueue(stack, 'Email', { channel: 'email', queueNamePrefix: 'x'.repeat(75) })).toThrow(
      /80 characters/,
    );
    expect(stack.node.findAll().filter((c) => c instanceof Queue)).toEqual([]);
  });

  it('refuses an unknown channel and an impossible message size', () => {
    const stack = newStack();

    expect(() => new ChannelQueue(stack, 'Fax', { channel: 'fax' as Channel, queueNamePrefix: 'relay' })).toThrow(
      /unknown channel "fax"/,
    );
    expect(
      () => new ChannelQueue(stack, 'Big', { channel: 'push', queueNamePrefix: 'relay', maxMessageSizeBytes: 2_000_000 }),
    ).toThrow(/maxMessageSizeBytes/);
  });
});

describe('IngestApi', () => {
  const queuesIn = (stack: Stack) => ({
    push: new Queue(stack, 'PushQ'),
    sms: new Queue(stack, 'SmsQ'),
    email: new Queue(stack, 'EmailQ'),
    events: new Queue(stack, 'EventsQ'),
  });

  it('refuses less than 512 MB of memory', () => {
    const stack = newStack();

    expect(() => new IngestApi(stack, 'Api', { queues: queuesIn(stack), memorySize: 256 })).toThrow(/memorySize/);
  });

  it('refuses a missing channel queue', () => {
    const stack = newStack();
    const { push, sms } = queuesIn(stack);

    expect(() => new IngestApi(stack, 'Api', { queues: { push, sms } as never })).toThrow(
      /missing the channel\(s\) email, events/,
    );
  });

  it('refuses a body limit that is not a positive whole number', () => {
    const stack = newStack();

    expect(() => new IngestApi(stack, 'Api', { queues: queuesIn(stack), maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
  });

  it("exposes each channel's function and webhook URL", () => {
    const stack = newStack();
    const api = new IngestApi(stack, 'Api', { queues: queuesIn(stack) });

    expect(Object.keys(api.functions)).toEqual(['push', 'sms', 'email', 'events']);
    expect(stack.resolve(api.webhookUrls.events)).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/HttpApi/), 'ApiEndpoint'] }, '/cometchat/events']],
    });
    expect(stack.resolve(api.webhookUrls.sms)).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/HttpApi/), 'ApiEndpoint'] }, '/cometchat/sms']],
    });
  });
});

const built = (stack: Stack, type: abstract new (...args: never[]) => IConstruct) =>
  stack.node.findAll().filter((c) => c instanceof type);

describe('RelayFunction', () => {
  const props = {
    entry: 'functions/ingest/handler.ts',
    description: 'test function',
    roleDescription: 'test role',
    memorySize: 512,
    timeout: Duration.seconds(5),
    environment: { SETTING: 'value' },
  };

  it('runs Node.js 24 on arm64 as minified ESM, with its own role and log group and the Powertools settings (one metrics namespace)', () => {
    const stack = newStack();
    const fn = new RelayFunction(stack, 'Fn', props);
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 5,
      Environment: {
        Variables: {
          SETTING: 'value',
          POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(fn.role).toBe(fn.executionRole);
    expect(fn.executionRole.node.id).toBe('FnRole');
    expect(fn.functionLogGroup.node.id).toBe('FnLogs');
  });

  it('refuses an entry outside the repository, an impossible memory size or the shared variables, before building anything', () => {
    const stack = newStack();

    expect(() => new RelayFunction(stack, 'A', { ...props, entry: '/etc/passwd' })).toThrow(/entry/);
    expect(() => new RelayFunction(stack, 'B', { ...props, entry: '../elsewhere/handler.ts' })).toThrow(/entry/);
    expect(() => new RelayFunction(stack, 'C', { ...props, memorySize: 64 })).toThrow(/memorySize/);
    expect(() => new RelayFunction(stack, 'D', { ...props, timeout: Duration.minutes(16) })).toThrow(/timeout/);
    expect(() => new RelayFunction(stack, 'E', { ...props, environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } })).toThrow(
      /POWERTOOLS_LOG_LEVEL/,
    );
    expect(() => new RelayFunction(stack, 'J', { ...props, environment: { POWERTOOLS_METRICS_NAMESPACE: 'Other' } })).toThrow(
      /POWERTOOLS_METRICS_NAMESPACE/,
    );
    expect(() => new RelayFunction(stack, 'F', { ...props, bundledFiles: { 'conf/policy.json': POLICY_EXAMPLE } })).toThrow(
      /bundledFiles name "conf\/policy.json"/,
    );
    expect(() => new RelayFunction(stack, 'G', { ...props, bundledFiles: { 'index.mjs': POLICY_EXAMPLE } })).toThrow(
      /bundledFiles name "index.mjs"/,
    );
    expect(() => new RelayFunction(stack, 'H', { ...props, bundledFiles: { 'policy.json': 'policy.example.json' } })).toThrow(
      /bundledFiles\.policy\.json must be the absolute path of an existing file/,
    );
    expect(
      () => new RelayFunction(stack, 'I', { ...props, bundledFiles: { 'policy.json': `${POLICY_EXAMPLE}.missing` } }),
    ).toThrow(/bundledFiles\.policy\.json/);
    expect([...built(stack, Role), ...built(stack, LogGroup), ...built(stack, LambdaFunction)]).toEqual([]);
  });

  it('builds every function of the relay', () => {
    const { stack } = buildRelayStack();
    const functions = built(stack, LambdaFunction);

    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn, fn.node.path).toBeInstanceOf(RelayFunction);
  });
});

describe('RelayTables', () => {
  it('names the delivery table <prefix>-deliveries and leaves the retained directory to CloudFormation', () => {
    const stack = newStack();
    new RelayTables(stack, 'Tables', { tableNamePrefix: 'relay' });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'relay-deliveries' });
    // A fixed name would collide with the table a destroyed stack retained, on the next deploy.
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: { TableName: Match.absent(), GlobalSecondaryIndexes: Match.anyValue() },
    });
  });

  it('adopts an existing directory table (the one a destroyed stack kept) instead of creating one', () => {
    const stack = newStack();
    const tables = new RelayTables(stack, 'Tables', { tableNamePrefix: 'relay', existingDirectoryTableName: 'kept-directory' });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(stack.resolve(tables.directoryTable.tableName)).toBe('kept-directory');
    expect(() => new RelayTables(newStack(), 'Tables', { tableNamePrefix: 'relay', existingDirectoryTableName: 'a b' })).toThrow(
      /existingDirectoryTableName/,
    );
  });

  it('refuses a prefix DynamoDB would refuse, before building anything', () => {
    const stack = newStack();

    expect(() => new RelayTables(stack, 'Tables', { tableNamePrefix: 'my relay' })).toThrow(/tableNamePrefix/);
    expect(built(stack, Table)).toEqual([]);
  });
});

describe('ChannelPipeline', () => {
  const tablesIn = (stack: Stack) => {
    const { directoryTable, deliveryTable } = new RelayTables(stack, 'Tables', { tableNamePrefix: 'relay' });
    return { directoryTable, deliveryTable };
  };
  const pipelineIn = (stack: Stack, delivery: ChannelDelivery, maxConcurrency?: number) =>
    new ChannelPipeline(stack, 'Pipeline', { delivery, queueNamePrefix: 'relay', ...tablesIn(stack), maxConcurrency });

  it('builds the events kind without a directory: its consumer is told the topic, and nothing of a directory', () => {
    const stack = newStack();
    const { deliveryTable } = tablesIn(stack);
    const topic = new Topic(stack, 'Topic');
    const pipeline = new ChannelPipeline(stack, 'Events', {
      delivery: { channel: 'events', topic },
      queueNamePrefix: 'relay',
      deliveryTable,
    });
    const template = Template.fromStack(stack);
    const consumer = template.findResources('AWS::Lambda::Function')[
      stack.getLogicalId(pipeline.consumer.node.defaultChild as never)
    ] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };

    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-events' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 5 } });
    expect(consumer.Properties.Environment.Variables).toMatchObject({
      EVENTS_TOPIC_ARN: { Ref: stack.getLogicalId(topic.node.defaultChild as never) },
    });
    expect(consumer.Properties.Environment.Variables).not.toHaveProperty('DIRECTORY_TABLE');
  });

  it('refuses a delivery channel without its directory, and the events kind without its topic, before building anything', () => {
    const stack = newStack();
    const { deliveryTable } = tablesIn(stack);

    expect(
      () => new ChannelPipeline(stack, 'Sms', { delivery: { channel: 'sms' }, queueNamePrefix: 'relay', deliveryTable }),
    ).toThrow(/directoryTable is required by the sms delivery/);
    expect(
      () =>
        new ChannelPipeline(stack, 'Events', {
          delivery: { channel: 'events' } as ChannelDelivery,
          queueNamePrefix: 'relay',
          deliveryTable,
        }),
    ).toThrow(/delivery\.topic is required/);
    expect([...built(stack, Queue), ...built(stack, LambdaFunction)]).toEqual([]);
  });

  it('is a channel queue with a consumer reading it', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { channel: 'sms' }, 4);
    const template = Template.fromStack(stack);

    expect(pipeline.channel).toBe('sms');
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-sms' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [stack.getLogicalId(pipeline.queue.node.defaultChild as never), 'Arn'] },
      FunctionName: { Ref: stack.getLogicalId(pipeline.consumer.node.defaultChild as never) },
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  it.each([
    ['maxConcurrency', { channel: 'push' } as ChannelDelivery, 1],
    ['maxConcurrency', { channel: 'email' } as ChannelDelivery, 1001],
    ['senderId', { channel: 'sms', senderId: 'Not Valid' } as ChannelDelivery, undefined],
    ['originationNumber', { channel: 'sms', originationNumber: '0155550100' } as ChannelDelivery, undefined],
    ['maxPrice', { channel: 'sms', maxPrice: '-1' } as ChannelDelivery, undefined],
    ['senderEmail', { channel: 'email', senderEmail: 'nobody' } as ChannelDelivery, undefined],
    [
      'configurationSetName',
      { channel: 'email', senderEmail: 'a@example.com', configurationSetName: 'a b' } as ChannelDelivery,
      undefined,
    ],
    [
      'platformApplicationArns.fcm',
      { channel: 'push', platformApplicationArns: { fcm: APNS_ARN } } as ChannelDelivery,
      undefined,
    ],
  ])('refuses a wrong %s before building anything', (key, delivery, maxConcurrency) => {
    const stack = newStack();
    const tables = tablesIn(stack);

    expect(
      () => new ChannelPipeline(stack, 'Pipeline', { delivery, queueNamePrefix: 'relay', ...tables, maxConcurrency }),
    ).toThrow(new RegExp(key.replace('.', '\\.')));
    expect([...built(stack, Queue), ...built(stack, LambdaFunction)]).toEqual([]);
  });
});

describe('DirectoryApi', () => {
  const propsIn = (stack: Stack) => ({
    httpApi: new HttpApi(stack, 'Api'),
    directoryTable: new RelayTables(stack, 'Tables', { tableNamePrefix: 'relay' }).directoryTable,
  });

  it('adds the six directory routes to the given API, all to one function', () => {
    const stack = newStack();
    const api = new DirectoryApi(stack, 'Directory', { ...propsIn(stack), platformApplicationArns: { fcm: FCM_ARN } });

    expect(api.routes).toHaveLength(6);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Integration'))).toHaveLength(1);
  });

  it('refuses a platform application of the wrong platform before building anything', () => {
    const stack = newStack();
    const props = propsIn(stack);

    expect(() => new DirectoryApi(stack, 'Directory', { ...props, platformApplicationArns: { fcm: APNS_ARN } })).toThrow(
      /platformApplicationArns\.fcm must be an SNS platform application ARN arn:aws:sns:<region>:<account>:app\/GCM\/<name>/,
    );
    expect([...built(stack, Secret), ...built(stack, LambdaFunction)]).toEqual([]);
  });
});

describe('MessageEventsTopic', () => {
  it('names the topic <prefix>-message-events and encrypts it with a rotating key of its own', () => {
    const stack = newStack();
    const { topic, key } = new MessageEventsTopic(stack, 'Events', { topicNamePrefix: 'relay' });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'relay-message-events',
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(topic.masterKey).toBe(key);
  });

  it('refuses a prefix SNS would refuse, before building anything', () => {
    const stack = newStack();

    expect(() => new MessageEventsTopic(stack, 'Events', { topicNamePrefix: 'my relay' })).toThrow(/topicNamePrefix/);
    expect(built(stack, Topic)).toEqual([]);
  });
});

describe('BeforeMessageWebhook', () => {
  const propsIn = (stack: Stack) => ({ httpApi: new HttpApi(stack, 'Api'), webhookSecret: new Secret(stack, 'Secret') });

  it('adds POST /cometchat/before-message to the given API', () => {
    const stack = newStack();
    const webhook = new BeforeMessageWebhook(stack, 'BeforeMessage', propsIn(stack));

    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /cometchat/before-message' });
    expect(webhook.policy).toBeUndefined();
    expect(stack.resolve(webhook.webhookUrl)).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/Api/), 'ApiEndpoint'] }, '/cometchat/before-message']],
    });
  });

  it('refuses less than 512 MB, an impossible body limit or a policy path that is not absolute, before building anything', () => {
    const stack = newStack();
    const props = propsIn(stack);
    const policy = { configuredPath: 'policy.json', absolutePath: 'policy.json', policy: undefined as never };

    expect(() => new BeforeMessageWebhook(stack, 'A', { ...props, memorySize: 256 })).toThrow(/memorySize/);
    expect(() => new BeforeMessageWebhook(stack, 'B', { ...props, maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
    expect(() => new BeforeMessageWebhook(stack, 'C', { ...props, policy })).toThrow(/policy\.absolutePath must be absolute/);
    expect(built(stack, LambdaFunction)).toEqual([]);
  });
});
