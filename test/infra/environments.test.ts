import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import { addRelayStack } from '../../lib/relay-app.ts';
import { RelayStack } from '../../lib/relay-stack.ts';
import { FULL_CONFIG } from './fixtures.ts';
import { buildRelayStack, cdkJsonContext, cleanupAssemblies, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

/**
 * Top-level properties whose name ends in "Name" but which name nothing of their own in the account and region:
 * references to another resource, per-role or per-API names, labels. Every other `*Name` holding a string is a
 * physical name, so a new named resource is checked without this test knowing its type.
 */
const NOT_PHYSICAL_NAMES = new Set([
  'AWS::IAM::Policy PolicyName',
  'AWS::ApiGatewayV2::Api Name',
  'AWS::ApiGatewayV2::Stage StageName',
  'AWS::SES::ConfigurationSetEventDestination ConfigurationSetName',
  'AWS::CloudWatch::Alarm MetricName',
  'AWS::Lambda::EventSourceMapping FunctionName',
  'AWS::Lambda::Permission FunctionName',
]);

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Every physical name the template gives, as `<type> <property>=<name>`. */
const physicalNames = (template: Template): string[] =>
  Object.values(template.toJSON().Resources as Record<string, Resource>).flatMap(({ Type, Properties = {} }) => {
    const named = Object.entries(Properties).filter(
      ([key, value]) =>
        key.endsWith('Name') &&
        typeof value === 'string' &&
        !key.endsWith('DisplayName') &&
        !NOT_PHYSICAL_NAMES.has(`${Type} ${key}`),
    );
    // An SES event destination's name is unique within its configuration set, which may be shared (your own).
    const destination = (Properties.EventDestination as { Name?: unknown } | undefined)?.Name;
    return [
      ...named.map(([key, value]) => `${Type} ${key}=${value as string}`),
      ...(typeof destination === 'string' ? [`${Type} EventDestination.Name=${destination}`] : []),
    ];
  });

const relayIn = (app: App, stackName: string, config: Record<string, unknown>) =>
  new RelayStack(app, stackName, { env: ENV, config: parseConfig({ ...FULL_CONFIG, stackName, ...config }) });

describe('environments: two stacks in one account and region', () => {
  const app = new App(testAppProps(cdkJsonContext()));
  const staging = relayIn(app, 'cometchat-relay-staging', {
    domainName: 'relay-staging.example.com',
    certificateArn: CERTIFICATE_ARN,
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  });
  const prod = relayIn(app, 'cometchat-relay-prod', {
    domainName: 'relay.example.com',
    certificateArn: CERTIFICATE_ARN,
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  });
  const names = { staging: physicalNames(Template.fromStack(staging)), prod: physicalNames(Template.fromStack(prod)) };

  it('synthesise side by side with no physical name in common', () => {
    expect(names.staging.length).toBeGreaterThan(25);
    expect(names.prod.length).toBe(names.staging.length);
    expect(names.staging.filter((name) => names.prod.includes(name))).toEqual([]);
  });

  it('derive every physical name from the stack name, apart from the domain each is given', () => {
    for (const [stackName, list] of [
      ['cometchat-relay-staging', names.staging],
      ['cometchat-relay-prod', names.prod],
    ] as const) {
      const configured = list.filter((name) => / (DomainName|Name)=relay(-staging)?\.example\.com\.?$/.test(name));
      expect(configured).toHaveLength(3); // the API's domain name and its A and AAAA records
      for (const name of list.filter((n) => !configured.includes(n))) expect(name).toContain(`=${stackName}`);
    }
    // The kinds of names the issue lists, each present (where the template names them: functions, log groups,
    // roles and secrets get CloudFormation's names, which start with the stack name and cannot collide).
    for (const kind of [
      'AWS::DynamoDB::Table TableName',
      'AWS::SQS::Queue QueueName',
      'AWS::SNS::Topic TopicName',
      'AWS::CloudWatch::Dashboard DashboardName',
      'AWS::CloudWatch::Alarm AlarmName',
      'AWS::SES::ConfigurationSetEventDestination EventDestination.Name',
    ]) {
      expect(
        names.prod.some((name) => name.startsWith(`${kind}=`)),
        kind,
      ).toBe(true);
    }
    const unnamed = ['AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::IAM::Role', 'AWS::SecretsManager::Secret'];
    for (const type of unnamed)
      expect(
        names.prod.filter((name) => name.startsWith(`${type} `)),
        type,
      ).toEqual([]);
  });

  it('creates its own SES configuration set per stack when none is configured', () => {
    const own = new App(testAppProps(cdkJsonContext()));
    const [a, b] = ['relay-a', 'relay-b'].map((name) => new RelayStack(own, name, { env: ENV, config: parseConfig({}) }));
    if (!a || !b) throw new Error('two stacks expected');

    Template.fromStack(a).hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'relay-a-email' });
    Template.fromStack(b).hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'relay-b-email' });
  });

  it('run every function on Node.js 24 with source maps enabled', () => {
    const functions = Object.values(Template.fromStack(prod).findResources('AWS::Lambda::Function')) as {
      Properties: { Runtime: string; Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(functions.length).toBeGreaterThan(5);
    for (const { Properties } of functions) {
      expect(Properties.Runtime).toBe('nodejs24.x');
      expect(Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });
});

describe('stackName', () => {
  it('names the stack from -c cometchat-relay.stackName, and defaults to cometchat-relay', () => {
    const named = addRelayStack(
      new App(testAppProps({ ...cdkJsonContext(), 'cometchat-relay.stackName': 'cometchat-relay-prod' })),
    );
    const unnamed = addRelayStack(new App(testAppProps(cdkJsonContext())));

    expect(named.stackName).toBe('cometchat-relay-prod');
    Template.fromStack(named).hasResourceProperties('AWS::SQS::Queue', { QueueName: 'cometchat-relay-prod-push' });
    expect(unnamed.stackName).toBe('cometchat-relay');
  });

  it.each(['1relay', 'my relay', 'relay_prod', 'x'.repeat(51)])('refuses %j, saying what a stack name may be', (stackName) => {
    expect(() => parseConfig({ stackName })).toThrow(/stackName: must be a stack name of at most 50 letters, digits and "-"/);
  });
});

describe('directoryTableName', () => {
  it('adopts the table a destroyed stack kept, instead of creating a directory table', () => {
    const { template } = buildRelayStack({ 'cometchat-relay.directoryTableName': 'cometchat-relay-TablesDirectoryTable-1A2B3C' });

    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasOutput('DirectoryTableName', { Value: 'cometchat-relay-TablesDirectoryTable-1A2B3C' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DIRECTORY_TABLE: 'cometchat-relay-TablesDirectoryTable-1A2B3C' }) },
    });
  });

  it('creates a retained directory table whose name is CloudFormation’s, and outputs it', () => {
    const { template } = buildRelayStack();
    const [id] = Object.keys(template.findResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' }));

    expect(id).toBeDefined();
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { TableName: Match.absent() } });
    template.hasOutput('DirectoryTableName', { Value: { Ref: id } });
  });
});

describe('strict configuration', () => {
  it('fails synth on an unknown key in cdk.json, naming the nearest known key', () => {
    const fromCdkJson = cdkJsonContext()['cometchat-relay'] as Record<string, unknown>;

    expect(() => buildRelayStack({ 'cometchat-relay': { ...fromCdkJson, senderEmial: 'a@example.com' } })).toThrow(
      /senderEmial: unknown key \(known keys: .*\): did you mean "senderEmail"\?/,
    );
    expect(() => buildRelayStack({ 'cometchat-relay': { ...fromCdkJson, sms: { senderID: 'MyApp' } } })).toThrow(
      /sms\.senderID: unknown key \(known keys: senderId, originationNumber, maxPrice\): did you mean "sms\.senderId"\?/,
    );
  });

  it('fails synth on an unknown -c key, at any depth, naming the nearest known key', () => {
    expect(() => buildRelayStack({ 'cometchat-relay.stackname': 'x' })).toThrow(
      /stackname: unknown key .*did you mean "stackName"\?/,
    );
    expect(() => buildRelayStack({ 'cometchat-relay.sms.senderID': 'MyApp' })).toThrow(
      /sms\.senderID: unknown key .*did you mean "sms\.senderId"\?/,
    );
    expect(() => buildRelayStack({ 'cometchat-relay.alarms.oldestMessageAgeSeconds.fax': '60' })).toThrow(
      /alarms\.oldestMessageAgeSeconds\.fax: unknown key \(known keys: push, sms, email, events\)/,
    );
    expect(() => buildRelayStack({ 'cometchat-relay.maxBodyBytes.limit': '1' })).toThrow(
      /maxBodyBytes\.limit: maxBodyBytes is not set key by key: write -c cometchat-relay\.maxBodyBytes=<value>/,
    );
  });

  it('names no nearest key when nothing is close', () => {
    expect(() => buildRelayStack({ 'cometchat-relay.zzzzzzzz': '1' })).toThrow(/zzzzzzzz: unknown key \(known keys: [^)]*\)$/m);
  });

  it('still takes known -c keys at any depth', () => {
    const { stack } = buildRelayStack({
      'cometchat-relay.sms.senderId': 'MyApp',
      'cometchat-relay.alarms.oldestMessageAgeSeconds.sms': '1800',
    });

    expect(stack.config.sms.senderId).toBe('MyApp');
    expect(stack.config.alarms.oldestMessageAgeSeconds.sms).toBe(1800);
  });
});
