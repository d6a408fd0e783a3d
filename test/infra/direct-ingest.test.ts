import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_ROUTES, DELIVERY_CHANNELS } from '../../functions/shared/channels.ts';
import { deadLetterQueueName, queueName } from '../../lib/queue-settings.ts';
import { buildRelayStack, cleanupAssemblies, envOf, findOne, STACK_NAME } from './relay-app.ts';

afterAll(cleanupAssemblies);

const { stack, template } = buildRelayStack({ 'cometchat-relay': { ingest: 'direct', appId: 'app-123' } });
const { template: lambdaMode } = buildRelayStack();

type Props = Record<string, unknown>;
const resources = (type: string) => Object.values(template.findResources(type) as Record<string, { Properties: Props }>);
const route = (channel: string) => findOne(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === `POST ${channel}`);
const integrationOf = (routeProps: Props) => {
  const target = routeProps.Target as { 'Fn::Join': [string, unknown[]] };
  const ref = (target['Fn::Join'][1][1] as { Ref: string }).Ref;
  return (template.findResources('AWS::ApiGatewayV2::Integration')[ref] as { Properties: Props }).Properties;
};
const refOf = (queueProps: (p: Props) => boolean) => findOne(template, 'AWS::SQS::Queue', queueProps).id;

describe('ingest: "direct"', () => {
  it('sends the push, SMS and email routes to their queues through SQS-SendMessage, behind the Basic Auth authorizer', () => {
    const [authorizer] = resources('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
    for (const channel of DELIVERY_CHANNELS) {
      const { properties } = route(CHANNEL_ROUTES[channel]);
      expect(properties.AuthorizationType, channel).toBe('CUSTOM');
      const integration = integrationOf(properties);
      expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage' });
      // API Gateway sends with a role of the route's own (CDK grants it SendMessage on this queue).
      expect(integration.CredentialsArn).toEqual({ 'Fn::GetAtt': [expect.stringContaining('InvokeRole'), 'Arn'] });
      const parameters = integration.RequestParameters as Record<string, unknown>;
      expect(parameters.MessageBody).toBe('$request.body');
      expect(JSON.parse(parameters.MessageAttributes as string)).toEqual({
        channel: { DataType: 'String', StringValue: channel },
        ingest: { DataType: 'String', StringValue: 'direct' },
      });
      expect(parameters.QueueUrl).toEqual({ Ref: refOf((p) => p.QueueName === queueName(STACK_NAME, channel)) });
    }
  });

  it('runs no ingest function for those routes; the events route keeps its own', () => {
    const channels = resources('AWS::Lambda::Function').map((fn) => envOf(fn.Properties).CHANNEL).filter(Boolean);
    expect(channels).toEqual(['events']);
    expect(route(CHANNEL_ROUTES.events).properties.AuthorizationType).toBe('NONE');
    expect(resources('AWS::ApiGatewayV2::Authorizer')).toHaveLength(1);
    expect(Object.keys(lambdaMode.findResources('AWS::ApiGatewayV2::Authorizer'))).toHaveLength(0);
  });

  it('tells each delivery consumer its DLQ and the app id, and lets it send there', () => {
    for (const channel of DELIVERY_CHANNELS) {
      const dlq = refOf((p) => p.QueueName === deadLetterQueueName(STACK_NAME, channel));
      const consumer = findOne(
        template,
        'AWS::Lambda::Function',
        (p) => JSON.stringify(envOf(p).DEAD_LETTER_QUEUE_URL) === JSON.stringify({ Ref: dlq }),
      );
      expect(envOf(consumer.properties).COMETCHAT_APP_ID).toBe('app-123');
      const roleRef = (consumer.properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = Object.values(
        template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Props[] } } }>,
      )
        .filter((policy) => policy.Properties.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleRef })))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(
        statements.some(
          (s) => [s.Action].flat().includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(dlq),
        ),
        channel,
      ).toBe(true);
    }
  });

  it('passes cdk-nag with only reviewed acknowledgements', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('the ingest config key', () => {
  it('refuses anything but "lambda" or "direct", saying what each does', () => {
    expect(() => buildRelayStack({ 'cometchat-relay': { ingest: 'sqs' } })).toThrow(/ingest.*"lambda".*"direct"/s);
  });
});
