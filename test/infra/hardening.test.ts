import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_RETENTION_DAYS } from '../../lib/config.ts';
import { IngestApi } from '../../lib/constructs/ingest-api.ts';
import { FULL_CONFIG } from './fixtures.ts';
import { buildRelayStack, cleanupAssemblies, findOne, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

const { template: defaults } = buildRelayStack();
const { template: configured } = buildRelayStack({ 'cometchat-relay': { ...FULL_CONFIG, logRetentionDays: 7 } });

type Props = Record<string, unknown>;
const stageOf = (template: Template) => findOne(template, 'AWS::ApiGatewayV2::Stage', () => true).properties;

describe('HTTP API stage', () => {
  it('throttles every route at 1000 requests per second with a burst of 2000 by default: a 1,000-member group passes whole', () => {
    expect(stageOf(defaults).DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
  });

  it('takes the throttling from api.throttleRateLimit and api.throttleBurstLimit', () => {
    expect(stageOf(configured).DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: FULL_CONFIG.api.throttleRateLimit,
      ThrottlingBurstLimit: FULL_CONFIG.api.throttleBurstLimit,
    });
  });

  it('writes a JSON access log line per request to a log group of its own', () => {
    const settings = stageOf(defaults).AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };

    expect(Object.keys(defaults.findResources('AWS::Logs::LogGroup'))).toContain(settings.DestinationArn['Fn::GetAtt'][0]);
    expect(JSON.parse(settings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });
});

describe('log retention', () => {
  const logGroups = (template: Template) =>
    Object.values(template.findResources('AWS::Logs::LogGroup') as Record<string, { Properties: Props }>).map(
      ({ Properties }) => Properties,
    );

  it.each([
    ['by default', () => defaults, DEFAULT_LOG_RETENTION_DAYS],
    ['as configured (logRetentionDays)', () => configured, 7],
  ])('applies to every log group of the stack, %s', (_name, template, days) => {
    expect(logGroups(template()).length).toBeGreaterThan(0);
    for (const properties of logGroups(template())) expect(properties.RetentionInDays).toBe(days);
  });

  it('leaves no function to log into a group without retention: each has its own group, plus the access logs', () => {
    const functions = Object.values(configured.findResources('AWS::Lambda::Function') as Record<string, { Properties: Props }>);

    for (const { Properties } of functions) {
      expect(Properties.LoggingConfig, 'each function names its log group').toMatchObject({
        LogGroup: { Ref: expect.any(String) },
      });
    }
    expect(logGroups(configured)).toHaveLength(functions.length + 1);
  });
});

describe('IngestApi throttling', () => {
  const queuesIn = (stack: Stack) => ({
    push: new Queue(stack, 'PushQ'),
    sms: new Queue(stack, 'SmsQ'),
    email: new Queue(stack, 'EmailQ'),
    events: new Queue(stack, 'EventsQ'),
  });

  it.each([
    ['rateLimit', { rateLimit: 0, burstLimit: 10 }],
    ['burstLimit', { rateLimit: 10, burstLimit: 2.5 }],
  ])('refuses a throttle.%s that is not a whole number of at least 1, before building anything', (key, throttle) => {
    const stack = new Stack(new App(testAppProps()), 'test');

    expect(() => new IngestApi(stack, 'Api', { queues: queuesIn(stack), throttle })).toThrow(new RegExp(`throttle\\.${key}`));
    expect(stack.node.findAll().filter((c) => c instanceof HttpApi)).toEqual([]);
  });
});
