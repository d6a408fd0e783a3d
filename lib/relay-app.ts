import type { App } from 'aws-cdk-lib';
import { DEFAULT_STACK_NAME, loadConfig } from './config.ts';
import { RelayStack } from './relay-stack.ts';

/**
 * Adds the relay stack to `app`, named `stackName` from the configuration
 * (`-c cometchat-relay.stackName=cometchat-relay-staging`; default
 * `cometchat-relay`): every physical name derives from the stack name, so
 * that environments such as staging and production share an account and
 * region. What bin/app.ts runs, and the tests with it.
 *
 * @throws ConfigError naming every failing key.
 */
export const addRelayStack = (app: App): RelayStack => {
  const config = loadConfig(app);
  return new RelayStack(app, config.stackName ?? DEFAULT_STACK_NAME, { config });
};
