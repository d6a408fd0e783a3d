import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config.ts';
import { buildRelayStack, cleanupAssemblies, grantsOf } from './relay-app.ts';

afterAll(cleanupAssemblies);

const PUSH_CREDENTIALS = { fcm: 'relay/fcm', apns: 'relay/apns' };
const { stack, template } = buildRelayStack({ 'cometchat-relay': { pushCredentials: PUSH_CREDENTIALS } });
const resolved = (value: unknown) => JSON.stringify(stack.resolve(value));

/** `arn:<partition>:sns:<region>:<account>:app/<PLATFORM>/<name>` as the template writes it. */
const applicationArn = (platform: string, name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:app/${platform}/${name}`]],
});
const functionIdOf = (pathPart: string) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(pathPart))?.[0] as string;

describe('platform applications from pushCredentials', () => {
  it('declares one application per platform with credentials, named after the stack, wired to the feedback topic', () => {
    const feedbackTopic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('PushFeedbackTopic'));
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('PlatformApplicationsDeliveryStatusRole'));
    template.resourceCountIs('Custom::SnsPlatformApplication', 2);
    for (const [platform, snsPlatform] of [['fcm', 'GCM'], ['apns', 'APNS']] as const) {
      template.hasResourceProperties('Custom::SnsPlatformApplication', {
        Name: `cometchat-relay-${platform}`,
        RelayPlatform: platform,
        Platform: snsPlatform,
        CredentialsSecretId: PUSH_CREDENTIALS[platform],
        EventTopicArn: { Ref: feedbackTopic },
        DeliveryStatusRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        SuccessFeedbackSampleRate: '10',
      });
    }
  });

  it('has a delivery-status role that only SNS of this account assumes, writing only its applications\' log groups', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^PlatformApplicationsDeliveryStatusPolicy'),
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Resource: [
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':log-group:sns/', '/app/APNS/cometchat-relay-apns*'])] }),
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':log-group:sns/', '/app/GCM/cometchat-relay-fcm*'])] }),
            ],
          }),
        ],
      },
    });
  });

  it("lets the function manage only the stack's own applications, read only the named secrets and pass only the delivery-status role", () => {
    const { grants, managedPolicyArns, denies } = grantsOf(template, functionIdOf('PlatformApplicationsFunction'));
    const sns = grants.filter(({ action }) => action.startsWith('sns:'));
    expect(new Set(sns.map(({ action }) => action))).toEqual(
      new Set(['sns:CreatePlatformApplication', 'sns:SetPlatformApplicationAttributes', 'sns:GetPlatformApplicationAttributes', 'sns:DeletePlatformApplication']),
    );
    expect(new Set(sns.map(({ resource }) => JSON.stringify(resource)))).toEqual(
      new Set([applicationArn('GCM', 'cometchat-relay-fcm'), applicationArn('APNS', 'cometchat-relay-apns')].map((arn) => JSON.stringify(arn))),
    );
    const secrets = grants.filter(({ action }) => action.startsWith('secretsmanager:'));
    expect(secrets.map(({ action }) => action)).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:GetSecretValue']);
    expect(secrets.map(({ resource }) => JSON.stringify(resource)).join(' ')).toMatch(/secret:relay\/apns-\?\?\?\?\?\?.*secret:relay\/fcm-\?\?\?\?\?\?/);
    const passRole = grants.filter(({ action }) => action === 'iam:PassRole');
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sns.amazonaws.com' } });
    expect(grants.filter(({ action }) => !/^(sns|secretsmanager|iam|logs):/.test(action))).toEqual([]);
    expect(managedPolicyArns).toEqual([]);
    expect(denies).toBe(0);
  });

  it('gives the directory API and the push consumer the created ARNs, with IAM scoped to their endpoints', () => {
    const directory = template.findResources('AWS::Lambda::Function')[functionIdOf('DirectoryApiFunction')] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    const arns = resolved(directory.Properties.Environment.Variables.PLATFORM_APPLICATION_ARNS);
    expect(arns).toContain(':app/GCM/cometchat-relay-fcm');
    expect(arns).toContain(':app/APNS/cometchat-relay-apns');
    const publish = grantsOf(template, functionIdOf('PushQueueConsumer')).grants.filter(({ action }) => action === 'sns:Publish');
    expect(publish.map(({ resource }) => JSON.stringify(resource)).sort()).toEqual(
      [':endpoint/APNS/cometchat-relay-apns/*', ':endpoint/GCM/cometchat-relay-fcm/*'].map((tail) =>
        JSON.stringify({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail]],
        }),
      ),
    );
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves the event attributes empty when the push feedback loop is off', () => {
    const { template: withoutFeedback } = buildRelayStack({ 'cometchat-relay': { pushCredentials: { fcm: 'relay/fcm' }, pushFeedback: false } });
    withoutFeedback.hasResourceProperties('Custom::SnsPlatformApplication', { Name: 'cometchat-relay-fcm', EventTopicArn: '' });
  });

  it('creates no application (and no provider) without pushCredentials', () => {
    const { template: plain } = buildRelayStack();
    plain.resourceCountIs('Custom::SnsPlatformApplication', 0);
    expect(Object.keys(plain.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('PlatformApplications'))).toBe(false);
  });
});

describe('pushCredentials configuration errors', () => {
  const ARN = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/existing';

  it('refuses a platform with both an application ARN and credentials, naming the platform', () => {
    const raw = { platformApplicationArns: { fcm: ARN }, pushCredentials: { fcm: 'relay/fcm' } };
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(/- pushCredentials\.fcm: fcm also has platformApplicationArns\.fcm: .* not both/);
  });

  it('fails the synth the same way', () => {
    expect(() => buildRelayStack({ 'cometchat-relay': { platformApplicationArns: { fcm: ARN }, pushCredentials: { fcm: 'relay/fcm' } } })).toThrow(
      /pushCredentials\.fcm/,
    );
  });

  it.each([
    ['a name with spaces', 'relay fcm'],
    ['an ARN of another service', 'arn:aws:sns:eu-west-1:123456789012:relay'],
    ['a number', 42],
  ])('refuses %s as a secret', (_what, secret) => {
    expect(() => parseConfig({ pushCredentials: { apns: secret } })).toThrow(/- pushCredentials\.apns: must be/);
  });

  it('refuses an unknown platform, listing the known ones', () => {
    expect(() => parseConfig({ pushCredentials: { huawei: 'relay/huawei' } })).toThrow(
      /pushCredentials\.huawei: unknown key \(known keys: fcm, apns, apns_sandbox, apns_voip, apns_voip_sandbox\)/,
    );
  });

  it('accepts a secret ARN, and a platform with an ARN beside another with credentials', () => {
    const config = parseConfig({
      platformApplicationArns: { fcm: ARN },
      pushCredentials: { apns: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/apns-AbCdEf', fcm: '' },
    });
    expect(config.pushCredentials).toEqual({ apns: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/apns-AbCdEf' });
  });

  it('refuses a success sample rate outside 0-100', () => {
    expect(() => parseConfig({ pushSuccessSampleRate: '101' })).toThrow(/- pushSuccessSampleRate: must be at most 100/);
  });
});
