import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { RelayStack } from '../../lib/relay-stack.ts';
import { tableName } from '../../lib/table-settings.ts';

/** The context of the real cdk.json: `new App()` does not read it, and feature flags change templates. */
export const cdkJsonContext = (): Record<string, unknown> => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
};

export const STACK_NAME = 'cometchat-relay';

/**
 * Options of every test app: no bundling (the `aws:cdk:bundling-stacks`
 * context switches it off), and no built-in CloudFormation validation, which
 * only ever prints warnings (it cannot fail a synth) yet costs about 1.5 s per
 * test file; `cdk synth` still runs it.
 */
export const testAppProps = (context: Record<string, unknown> = {}) => ({
  builtinCloudFormationValidation: false,
  context: { 'aws:cdk:bundling-stacks': [], ...context },
});

/**
 * The relay stack as `cdk synth` builds it, minus bundling and validation
 * (`testAppProps`). `context` is merged over cdk.json's, as `-c` would be.
 */
export const buildRelayStack = (context: Record<string, unknown> = {}): { app: App; stack: RelayStack; template: Template } => {
  const app = new App(testAppProps({ ...cdkJsonContext(), ...context }));
  const stack = new RelayStack(app, STACK_NAME);
  return { app, stack, template: Template.fromStack(stack) };
};

/** Template.fromStack writes cloud assemblies to temporary folders: remove them (call in afterAll). */
export const cleanupAssemblies = (): void => CloudAssembly.cleanupTemporaryDirectories();

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The one resource of `type` whose properties satisfy `match`, with its logical id. */
export const findOne = (
  template: Template,
  type: string,
  match: (properties: Record<string, unknown>) => boolean,
): { id: string; properties: Record<string, unknown> } => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([, resource]) =>
    match(resource.Properties ?? {}),
  );
  if (found.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${found.length}`);
  const [id, resource] = found[0] as [string, Resource];
  return { id, properties: resource.Properties ?? {} };
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type PolicyDocument = { Statement: Statement[] };

/** One permission: an action allowed on one resource (as the template writes it), and its condition if it has one. */
export type Grant = { readonly action: string; readonly resource: unknown; readonly condition?: unknown };

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Everything the role of the function `functionId` may do, as (action, resource)
 * pairs (with the statement's condition, when it has one) sorted for comparison:
 * the policies attached to the role, its inline policies, and its managed
 * policies (which should be none). `denies` counts the Deny statements.
 */
export const grantsOf = (
  template: Template,
  functionId: string,
): { managedPolicyArns: unknown[]; grants: Grant[]; denies: number } => {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const role = template.findResources('AWS::IAM::Role')[roleId] as {
    Properties: { ManagedPolicyArns?: unknown[]; Policies?: { PolicyDocument: PolicyDocument }[] };
  };
  const attached = Object.values(
    template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { Roles: unknown[]; PolicyDocument: PolicyDocument } }
    >,
  )
    .filter((policy) => policy.Properties.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const statements = [...attached, ...(role.Properties.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement)];
  const grants = statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      asArray(s.Action).flatMap((action) =>
        asArray(s.Resource).map((resource) =>
          s.Condition === undefined ? { action, resource } : { action, resource, condition: s.Condition },
        ),
      ),
    );
  return {
    managedPolicyArns: role.Properties.ManagedPolicyArns ?? [],
    grants: sortGrants(grants),
    denies: statements.filter((s) => s.Effect !== 'Allow').length,
  };
};

export const sortGrants = (grants: readonly Grant[]): Grant[] =>
  [...grants].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** `actions` on each of `resources`, as grants (under `condition`, when given). */
export const allow = (actions: readonly string[], resources: readonly unknown[], condition?: unknown): Grant[] =>
  actions.flatMap((action) =>
    resources.map((resource) => (condition === undefined ? { action, resource } : { action, resource, condition })),
  );

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** The logical id of the one resource of `type` whose properties satisfy `match`. */
export const idOf = (template: Template, type: string, match: (properties: Record<string, unknown>) => boolean): string =>
  findOne(template, type, match).id;

/** An environment variable of a function's properties. */
export const envOf = (properties: Record<string, unknown>): Record<string, unknown> =>
  (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};

/**
 * Whether table properties are those of the relay's table `role`: the delivery
 * table by its name, the directory by its index (its name is CloudFormation's,
 * so that a redeploy after `cdk destroy` cannot collide with the retained one).
 */
export const isRelayTable =
  (role: 'directory' | 'deliveries') =>
  (properties: Record<string, unknown>): boolean =>
    role === 'directory'
      ? properties.TableName === undefined && properties.GlobalSecondaryIndexes !== undefined
      : properties.TableName === tableName(STACK_NAME, role);
