import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRelayStack, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

const { stack } = buildRelayStack();

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

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged violation', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the reviewed rules, each on the narrowest construct', () => {
    const found = acknowledgements(stack).map(({ id, path }) => `${id} ${path.replace(/^cometchat-relay\//, '')}`).sort();

    expect(found).toEqual([
      'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--email',
      'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--push',
      'AwsSolutions-APIG4 IngestApi/HttpApi/POST--cometchat--sms',
      'AwsSolutions-L1 IngestApi/EmailFunction',
      'AwsSolutions-L1 IngestApi/PushFunction',
      'AwsSolutions-L1 IngestApi/SmsFunction',
      'AwsSolutions-SMG4 IngestApi/WebhookSecret',
    ]);
  });

  it('gives every acknowledgement a concrete reason', () => {
    for (const { id, reason } of acknowledgements(stack)) {
      expect(reason.length, `${id} needs a reason a reviewer can check`).toBeGreaterThan(60);
    }
  });
});
