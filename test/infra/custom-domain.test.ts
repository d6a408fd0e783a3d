import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config.ts';
import { RelayStack } from '../../lib/relay-stack.ts';
import { buildRelayStack, cdkJsonContext, cleanupAssemblies, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const DOMAIN = { domainName: 'relay.example.com', certificateArn: CERTIFICATE_ARN };

const WEBHOOK_OUTPUTS = {
  PushWebhookUrl: 'https://relay.example.com/cometchat/push',
  SmsWebhookUrl: 'https://relay.example.com/cometchat/sms',
  EmailWebhookUrl: 'https://relay.example.com/cometchat/email',
  EventsWebhookUrl: 'https://relay.example.com/cometchat/events',
  BeforeMessageWebhookUrl: 'https://relay.example.com/cometchat/before-message',
  DirectoryApiUrl: 'https://relay.example.com',
};

describe('custom domain', () => {
  const { stack, template } = buildRelayStack({ 'cometchat-relay': { ...DOMAIN, hostedZoneId: ZONE_ID } });
  const domainId = Object.keys(template.findResources('AWS::ApiGatewayV2::DomainName'))[0] ?? 'none';

  it('gives the HTTP API the domain, with the certificate, mapped at its root on the $default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'relay.example.com',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }),
      ],
    });
    const httpApiId = stack.resolve(stack.ingestApi.httpApi.apiId) as unknown;
    const stageId = stack.resolve(stack.ingestApi.stage.stageName) as unknown;
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: httpApiId,
      DomainName: { Ref: domainId },
      Stage: stageId,
      ApiMappingKey: Match.absent(),
    });
  });

  it('creates the alias records (A and AAAA) in the hosted zone, pointing at the regional endpoint', () => {
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'relay.example.com.',
        Type: type,
        HostedZoneId: ZONE_ID,
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
          HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
        },
      });
    }
  });

  it('outputs every webhook and directory URL on the domain, and the target to point it at', () => {
    for (const [output, url] of Object.entries(WEBHOOK_OUTPUTS)) template.hasOutput(output, { Value: url });
    template.hasOutput('CustomDomainTarget', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
  });

  it('tags the webhook secret with the base URL on the domain, for `npm run send -- --stack`', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([{ Key: 'cometchat-relay:webhook-url', Value: 'https://relay.example.com' }]),
    });
  });

  it('passes the AWS Solutions checks', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('creates no record without a hosted zone, and still gives the URLs on the domain', () => {
    const { template: noZone } = buildRelayStack({ 'cometchat-relay': DOMAIN });

    noZone.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    noZone.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    noZone.resourceCountIs('AWS::Route53::RecordSet', 0);
    for (const [output, url] of Object.entries(WEBHOOK_OUTPUTS)) noZone.hasOutput(output, { Value: url });
  });

  it('names the record within hostedZoneName when the zone is not the parent domain', () => {
    const { template: deeper } = buildRelayStack({
      'cometchat-relay': { ...DOMAIN, domainName: 'relay.eu.example.com', hostedZoneId: ZONE_ID, hostedZoneName: 'example.com' },
    });

    deeper.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'relay.eu.example.com.', HostedZoneId: ZONE_ID });
  });

  it('keeps the API host in the outputs without a domain', () => {
    const { template: plain } = buildRelayStack();

    plain.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    plain.hasOutput('PushWebhookUrl', { Value: { 'Fn::Join': Match.anyValue() } });
    plain.hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([
        {
          Key: 'cometchat-relay:webhook-url',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestApiHttpApi'), 'ApiEndpoint'] },
        },
      ]),
    });
  });

  it('refuses a certificate of another region than the stack’s (HTTP APIs take regional certificates)', () => {
    const build = () =>
      new RelayStack(new App(testAppProps(cdkJsonContext())), 'relay', {
        env: { account: '123456789012', region: 'us-east-1' },
        config: parseConfig(DOMAIN),
      });

    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/certificateArn: is in region eu-west-1, but the stack deploys to us-east-1/);
  });
});

describe('custom domain configuration', () => {
  it('takes the domain in lower case without a trailing dot', () => {
    expect(parseConfig({ ...DOMAIN, domainName: 'Relay.Example.COM.' }).domainName).toBe('relay.example.com');
  });

  it.each([
    ['certificateArn: is required with domainName', { domainName: 'relay.example.com' }],
    ['certificateArn: is for a custom domain: set domainName too', { certificateArn: CERTIFICATE_ARN }],
    ['hostedZoneId: is for a custom domain: set domainName too', { hostedZoneId: ZONE_ID }],
    ['hostedZoneName: goes with hostedZoneId', { ...DOMAIN, hostedZoneName: 'example.com' }],
    [
      'certificateArn: must be the ARN of an ACM certificate',
      { ...DOMAIN, certificateArn: 'arn:aws:iam::123456789012:server-certificate/relay' },
    ],
    ['certificateArn: must be the ARN of an ACM certificate', { ...DOMAIN, certificateArn: 'relay.example.com' }],
    ['domainName: must be a domain name', { ...DOMAIN, domainName: '*.example.com' }],
    ['domainName: must be a domain name', { ...DOMAIN, domainName: 'https://relay.example.com' }],
    ['domainName: must be a domain name', { ...DOMAIN, domainName: 'localhost' }],
    ['hostedZoneId: must be a Route 53 hosted zone id', { ...DOMAIN, hostedZoneId: 'example.com' }],
    [
      'hostedZoneName: is taken to be "example.com", but relay.example.org is not in that zone',
      { ...DOMAIN, domainName: 'relay.example.org', hostedZoneId: ZONE_ID, hostedZoneName: 'example.com' },
    ],
  ])('refuses: %s', (message, config) => {
    const expected = message.replace('is taken to be', 'is');
    expect(() => parseConfig(config)).toThrow(expected);
  });
});
