import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_ROUTES, CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import { deadLetterQueueName, queueName, visibilityTimeoutSeconds } from '../../lib/queue-settings.ts';
import { buildRelayStack, cleanupAssemblies, envOf, findOne, STACK_NAME } from './relay-app.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type PolicyDocument = { Statement: Statement[] };

const { template } = buildRelayStack();

afterAll(cleanupAssemblies);

const queueOf = (channel: Channel) => findOne(template, 'AWS::SQS::Queue', (p) => p.QueueName === queueName(STACK_NAME, channel));
const deadLetterQueueOf = (channel: Channel) =>
  findOne(template, 'AWS::SQS::Queue', (p) => p.QueueName === deadLetterQueueName(STACK_NAME, channel));
/** The ingest function of a channel: the one whose CHANNEL variable names it. */
const ingestFunctionIn = (t: Template, channel: Channel) =>
  findOne(t, 'AWS::Lambda::Function', (p) => envOf(p).CHANNEL === channel);
const functionOf = (channel: Channel) => ingestFunctionIn(template, channel);
const secret = () =>
  findOne(
    template,
    'AWS::SecretsManager::Secret',
    (p) => (p.GenerateSecretString as { GenerateStringKey?: string }).GenerateStringKey === 'password',
  );

/** Every statement the function's role can use: attached policies, inline policies and managed policies. */
const permissionsOf = (channel: Channel) => {
  const roleRef = (functionOf(channel).properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = template.findResources('AWS::IAM::Role')[roleRef] as {
    Properties: { ManagedPolicyArns?: unknown[]; Policies?: { PolicyDocument: PolicyDocument }[] };
  };
  const attached = Object.values(
    template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { Roles: unknown[]; PolicyDocument: PolicyDocument } }
    >,
  )
    .filter((policy) => policy.Properties.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleRef })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const inline = (role.Properties.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
  return { managedPolicyArns: role.Properties.ManagedPolicyArns, statements: [...attached, ...inline] };
};
const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

describe('webhook routes', () => {
  it.each(CHANNELS)('routes POST %s to the ingest function of that channel', (channel) => {
    const route = findOne(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === `POST ${CHANNEL_ROUTES[channel]}`);
    const integrationId = JSON.stringify(route.properties.Target).match(/"Ref":"([^"]+)"/)?.[1];
    const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId ?? ''] as {
      Properties: Record<string, unknown>;
    };

    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [functionOf(channel).id, 'Arn'] },
    });
  });

  it('logs every request as JSON request metadata, never headers or bodies', () => {
    const stage = findOne(template, 'AWS::ApiGatewayV2::Stage', () => true);
    const settings = stage.properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(stage.properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'] });
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
    });
    expect(settings.Format).not.toMatch(/header|body|authorizer/i);
  });

  it.each(CHANNELS)('outputs the full %s webhook URL', (channel) => {
    const name = `${channel.charAt(0).toUpperCase()}${channel.slice(1)}WebhookUrl`;
    template.hasOutput(name, {
      Value: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('HttpApi'), 'ApiEndpoint'] }, CHANNEL_ROUTES[channel]]],
      },
    });
  });

  it('outputs the webhook secret name', () => {
    template.hasOutput('WebhookSecretName', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });
});

describe('webhook secret', () => {
  it('generates {"username":"cometchatrelay","password":<40 alphanumerics>}', () => {
    expect(secret().properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ username: 'cometchatrelay' }),
      GenerateStringKey: 'password',
      ExcludePunctuation: true,
      IncludeSpace: false,
      PasswordLength: 40,
    });
  });
});

describe.each(CHANNELS)('%s queue', (channel) => {
  it('redrives to its own DLQ after 5 receives', () => {
    expect(queueOf(channel).properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueOf(channel).id, 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('keeps dead letters 14 days', () => {
    expect(deadLetterQueueOf(channel).properties.MessageRetentionPeriod).toBe(1_209_600);
  });

  it('gives the consumer six times its timeout as visibility timeout', () => {
    expect(queueOf(channel).properties.VisibilityTimeout).toBe(visibilityTimeoutSeconds());
  });

  it('encrypts both queues with SQS-managed keys', () => {
    expect(queueOf(channel).properties.SqsManagedSseEnabled).toBe(true);
    expect(deadLetterQueueOf(channel).properties.SqsManagedSseEnabled).toBe(true);
  });

  it('refuses plain-HTTP access to both queues', () => {
    for (const { id } of [queueOf(channel), deadLetterQueueOf(channel)]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});

describe.each(CHANNELS)('%s ingest function', (channel) => {
  it('runs Node.js 24 on arm64 within the 2 s budget', () => {
    const { properties } = functionOf(channel);

    expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(properties.MemorySize).toBeGreaterThanOrEqual(512);
    expect(properties.Timeout).toBeLessThanOrEqual(5);
  });

  it('gets the environment the handler reads', () => {
    expect((functionOf(channel).properties.Environment as { Variables: unknown }).Variables).toEqual({
      CHANNEL: channel,
      QUEUE_URL: { Ref: queueOf(channel).id },
      WEBHOOK_SECRET_ARN: { Ref: secret().id },
      COMETCHAT_APP_ID: '',
      MAX_BODY_BYTES: '262144',
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroupRef = (functionOf(channel).properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

    expect(template.findResources('AWS::Logs::LogGroup')[logGroupRef]).toMatchObject({ Properties: { RetentionInDays: 30 } });
  });

  it('may send to its own queue only', () => {
    const sqs = permissionsOf(channel).statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    const otherQueues = CHANNELS.filter((other) => other !== channel).flatMap((other) => [
      queueOf(other).id,
      deadLetterQueueOf(other).id,
    ]);

    expect(sqs.flatMap(actionsOf)).toContain('sqs:SendMessage');
    for (const statement of sqs) {
      expect(statement.Effect).toBe('Allow');
      expect(resourcesOf(statement)).toEqual([{ 'Fn::GetAtt': [queueOf(channel).id, 'Arn'] }]);
    }
    expect(JSON.stringify(permissionsOf(channel).statements)).not.toMatch(new RegExp(otherQueues.join('|')));
  });

  it('may read the webhook secret only', () => {
    const secrets = permissionsOf(channel).statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));

    expect(secrets.flatMap(actionsOf).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    for (const statement of secrets) expect(resourcesOf(statement)).toEqual([{ Ref: secret().id }]);
  });

  it('has nothing else than queue, secret and its own log group', () => {
    const { managedPolicyArns, statements } = permissionsOf(channel);
    const logGroupRef = (functionOf(channel).properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const logs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));

    expect(managedPolicyArns ?? []).toEqual([]);
    expect(statements.flatMap(actionsOf).every((a) => /^(sqs|secretsmanager|logs):/.test(a))).toBe(true);
    expect(logs.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const statement of logs) expect(resourcesOf(statement)).toEqual([{ 'Fn::GetAtt': [logGroupRef, 'Arn'] }]);
    expect(statements.flatMap(resourcesOf)).not.toContain('*');
  });
});

describe('configuration', () => {
  it('passes the configured values to the functions and log groups', () => {
    const { template: configured } = buildRelayStack({
      'cometchat-relay': { appId: 'abc123', maxBodyBytes: 65_536, ingestMemoryMb: 2048, logRetentionDays: 90 },
    });

    for (const channel of CHANNELS) {
      expect(ingestFunctionIn(configured, channel).properties).toMatchObject({
        MemorySize: 2048,
        Environment: { Variables: expect.objectContaining({ COMETCHAT_APP_ID: 'abc123', MAX_BODY_BYTES: '65536' }) },
      });
    }
    // Every log group: ingest, consumers, directory and API access logs.
    configured.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('takes single-key overrides as `-c cometchat-relay.<key>=<value>` gives them (strings)', () => {
    const { template: configured } = buildRelayStack({ 'cometchat-relay.maxBodyBytes': '8192' });

    for (const channel of CHANNELS) {
      expect(envOf(ingestFunctionIn(configured, channel).properties).MAX_BODY_BYTES).toBe('8192');
    }
  });

  it('refuses to synthesize with an invalid configuration, naming the key', () => {
    expect(() => buildRelayStack({ 'cometchat-relay': { maxBodyBytes: -1 } })).toThrow(/maxBodyBytes/);
  });
});
