#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lib/config.ts';
import { addRelayStack } from '../lib/relay-app.ts';

/**
 * The CDK app: one relay stack, configured from the `cometchat-relay` context
 * key (cdk.json or `-c`), checked by cdk-nag's AWS Solutions rules at every
 * synth. The stack is environment-agnostic: `cdk deploy` targets the account
 * and region of the credentials in use. Its name is `stackName`
 * (`-c cometchat-relay.stackName=cometchat-relay-staging`), from which every
 * physical name derives, so that environments share an account and region.
 */
const app = new App();
try {
  addRelayStack(app);
} catch (error) {
  // A configuration mistake is the user's to fix: show what to change, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
