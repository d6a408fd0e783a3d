import {
  GetSecretValueCommand,
  ListSecretsCommand,
  type SecretListEntry,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { WEBHOOK_URL_TAG } from '../lib/stack-tags.ts';
import { UsageError } from './script-io.ts';

/** The tag CloudFormation puts on every resource of a stack, naming it. */
const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

/** What `npm run send -- --stack <name>` needs from a deployed stack. */
export interface StackWebhook {
  /** The webhooks' base URL: the custom domain when one is configured, else the API's own. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** The two calls made, so that a test can answer them. */
export type SecretsClient = Pick<SecretsManagerClient, 'send'>;

/**
 * Finds a deployed stack's webhook URL and credentials: its webhook secret is
 * the stack's secret (CloudFormation's `aws:cloudformation:stack-name` tag)
 * that carries the relay's `cometchat-relay:webhook-url` tag, whose value is
 * the base URL. Needs `secretsmanager:ListSecrets` and `GetSecretValue` on it.
 *
 * @throws UsageError when the stack has no such secret in this region, or its value is not the credentials
 */
export const findStackWebhook = async (
  stack: string,
  client: SecretsClient = new SecretsManagerClient({ maxAttempts: 3 }),
): Promise<StackWebhook> => {
  const tagOf = (entry: SecretListEntry, key: string) => entry.Tags?.find((tag) => tag.Key === key)?.Value;
  let found: SecretListEntry | undefined;
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: [stack] }], NextToken: nextToken }),
    );
    found = page.SecretList?.find((entry) => tagOf(entry, STACK_NAME_TAG) === stack && tagOf(entry, WEBHOOK_URL_TAG));
    nextToken = page.NextToken;
  } while (!found && nextToken);
  const url = found ? tagOf(found, WEBHOOK_URL_TAG) : undefined;
  if (!found?.ARN || !url) {
    throw new UsageError(
      `No webhook secret of a stack named "${stack}" in this region: check --stack (the stack name) and --region, ` +
        'or give --url, --user and --password.',
    );
  }
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: found.ARN }));
  const value = parseCredentials(SecretString);
  if (!value) throw new UsageError(`The webhook secret ${found.Name ?? found.ARN} holds no "username" and "password".`);
  return { url, ...value };
};

const parseCredentials = (text: string | undefined): { username: string; password: string } | undefined => {
  try {
    const { username, password } = JSON.parse(text ?? '') as Record<string, unknown>;
    return typeof username === 'string' && typeof password === 'string' ? { username, password } : undefined;
  } catch {
    return undefined;
  }
};
