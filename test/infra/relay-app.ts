import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { RelayStack } from '../../lib/relay-stack.ts';

/** The context of the real cdk.json: `new App()` does not read it, and feature flags change templates. */
export const cdkJsonContext = (): Record<string, unknown> => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
};

export const STACK_NAME = 'cometchat-relay';

/**
 * The relay stack as `cdk synth` builds it, minus bundling (which the
 * `aws:cdk:bundling-stacks` context switches off). `context` is merged over
 * cdk.json's, as `-c` would be.
 */
export const buildRelayStack = (context: Record<string, unknown> = {}): { app: App; stack: RelayStack; template: Template } => {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
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
