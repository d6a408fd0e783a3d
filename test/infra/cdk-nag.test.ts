import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { ENDPOINT_PATTERNS, FULL_CONFIG } from './fixtures.ts';
import { buildRelayStack, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

const { stack } = buildRelayStack();
const { stack: configured } = buildRelayStack({ 'cometchat-relay': { ...FULL_CONFIG, policyFile: 'policy.example.json' } });
const { stack: withoutPushFeedback } = buildRelayStack({ 'cometchat-relay': { pushFeedback: false } });

/** Every acknowledgement recorded in the tree: rule id, reason, and where. */
const acknowledgements = (root: IConstruct) =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );

const violationsOf = (scope: IConstruct) => {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return {
    success: report.success,
    violations: report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
  };
};

const acknowledged = (root: IConstruct) =>
  acknowledgements(root)
    .map(({ id, path }) => `${id} ${path.replace(/^cometchat-relay\//, '')}`)
    .sort();

/** What both configurations acknowledge: one reviewed reason per rule and construct. */
const ALWAYS_ACKNOWLEDGED = [
  'AwsSolutions-APIG4 IngestApi/HttpApi/DELETE--users--{uid}',
  'AwsSolutions-APIG4 IngestApi/HttpApi/DELETE--users--{uid}--devices--{deviceId}',
  'AwsSolutions-APIG4 IngestApi/HttpApi/GET--users--{uid}--contact',
  'AwsSolutions-APIG4 IngestApi/HttpApi/GET--users--{uid}--devices',
  'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--before-message',
  'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--email',
  'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--events',
  'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--push',
  'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--sms',
  'AwsSolutions-APIG4 IngestApi/HttpApi/PUT--users--{uid}--contact',
  'AwsSolutions-APIG4 IngestApi/HttpApi/PUT--users--{uid}--devices--{deviceId}',
  'AwsSolutions-IAM5[Resource::*] SmsQueue/SmsPolicy',
  'AwsSolutions-L1 BeforeMessage/Function',
  'AwsSolutions-L1 DirectoryApi/Function',
  'AwsSolutions-L1 EmailQueue/Consumer',
  'AwsSolutions-L1 EventsQueue/Consumer',
  'AwsSolutions-L1 IngestApi/EmailFunction',
  'AwsSolutions-L1 IngestApi/EventsFunction',
  'AwsSolutions-L1 IngestApi/PushFunction',
  'AwsSolutions-L1 IngestApi/SmsFunction',
  'AwsSolutions-L1 PushFeedback/Pipeline/Consumer',
  'AwsSolutions-L1 PushQueue/Consumer',
  'AwsSolutions-L1 SesFeedback/Pipeline/Consumer',
  'AwsSolutions-L1 SmsQueue/Consumer',
  'AwsSolutions-SMG4 DirectoryApi/AdminTokenSecret',
  'AwsSolutions-SMG4 IngestApi/WebhookSecret',
  'AwsSolutions-SNS2 PushFeedback/Topic',
  'AwsSolutions-SNS3 PushFeedback/Topic',
];

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['defaults', stack],
    ['every option configured, with a policy file', configured],
    ['without the push feedback loop', withoutPushFeedback],
  ])('reports no unacknowledged violation (%s)', (_name, scope) => {
    expect(violationsOf(scope)).toEqual({ success: true, violations: [] });
  });

  it('acknowledges only the reviewed rules, each on the narrowest construct', () => {
    expect(acknowledged(stack)).toEqual(ALWAYS_ACKNOWLEDGED);
  });

  it('acknowledges the endpoint wildcards of each configured application, on the policies that hold them only', () => {
    const endpointAcknowledgements = ENDPOINT_PATTERNS.flatMap((pattern) => [
      `AwsSolutions-IAM5[Resource::${pattern}] DirectoryApi/EndpointPolicy`,
      `AwsSolutions-IAM5[Resource::${pattern}] PushFeedback/EndpointPolicy`,
      `AwsSolutions-IAM5[Resource::${pattern}] PushQueue/EndpointPolicy`,
    ]);

    // The email consumer's sender may reach any recipient identity (SES sandbox), as the configured sender only.
    const sesAcknowledgement = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*] EmailQueue/EmailPolicy';

    expect(acknowledged(configured)).toEqual([...ALWAYS_ACKNOWLEDGED, ...endpointAcknowledgements, sesAcknowledgement].sort());
  });

  it('acknowledges no rule wholesale where it reports findings one by one', () => {
    for (const { id } of [...acknowledgements(stack), ...acknowledgements(configured)]) expect(id).not.toBe('AwsSolutions-IAM5');
  });

  it('gives every acknowledgement a concrete reason', () => {
    for (const { id, reason } of [...acknowledgements(stack), ...acknowledgements(configured)]) {
      expect(reason.length, `${id} needs a reason a reviewer can check`).toBeGreaterThan(60);
    }
  });
});
