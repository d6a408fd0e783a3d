import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { parseSendArgs, runSend, withStackWebhook } from '../../scripts/send.ts';
import { findStackWebhook, type SecretsClient } from '../../scripts/stack-webhook.ts';

const WEBHOOK = { url: 'https://relay-staging.example.com', username: 'cometchatrelay', password: 'secret-password-40' };

/** A Secrets Manager answering from a list of secrets, one page of `pageSize` at a time (a unit test of one module). */
const secretsManager = (secrets: readonly FakeSecret[], pageSize = 1): SecretsClient & { calls: string[] } => {
  const calls: string[] = [];
  const send = async (command: unknown) => {
    if (command instanceof ListSecretsCommand) {
      const value = command.input.Filters?.[0]?.Values?.[0];
      const matching = secrets.filter((secret) => Object.values(secret.tags).includes(value ?? ''));
      const start = Number(command.input.NextToken ?? 0);
      calls.push(`ListSecrets ${start}`);
      return {
        SecretList: matching.slice(start, start + pageSize).map((secret) => ({
          ARN: secret.arn,
          Name: secret.arn.split(':').pop(),
          Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
        })),
        NextToken: start + pageSize < matching.length ? String(start + pageSize) : undefined,
      };
    }
    if (command instanceof GetSecretValueCommand) {
      calls.push(`GetSecretValue ${command.input.SecretId}`);
      return { SecretString: secrets.find((secret) => secret.arn === command.input.SecretId)?.value };
    }
    throw new Error('unexpected command');
  };
  return { send: send as SecretsClient['send'], calls };
};

type FakeSecret = { readonly arn: string; readonly tags: Record<string, string>; readonly value: string };

const stackTag = (stack: string): Record<string, string> => ({ 'aws:cloudformation:stack-name': stack });
const SECRETS: readonly FakeSecret[] = [
  { arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:admin', tags: stackTag('cometchat-relay-staging'), value: '{"token":"t"}' },
  {
    arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:prod-webhook',
    tags: { ...stackTag('cometchat-relay-prod'), 'cometchat-relay:webhook-url': 'https://relay.example.com' },
    value: '{"username":"p","password":"p"}',
  },
  { arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:other', tags: { team: 'cometchat-relay-staging' }, value: '{}' },
  {
    arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:staging-webhook',
    tags: { ...stackTag('cometchat-relay-staging'), 'cometchat-relay:webhook-url': WEBHOOK.url },
    value: JSON.stringify({ username: WEBHOOK.username, password: WEBHOOK.password }),
  },
];

describe('npm run send -- --stack', () => {
  it("finds the stack's webhook secret by its tags, across pages, and reads the URL and credentials", async () => {
    const client = secretsManager(SECRETS);

    expect(await findStackWebhook('cometchat-relay-staging', client)).toEqual(WEBHOOK);
    expect(client.calls).toEqual([
      'ListSecrets 0',
      'ListSecrets 1',
      'ListSecrets 2',
      'GetSecretValue arn:aws:secretsmanager:eu-west-1:1:secret:staging-webhook',
    ]);
  });

  it('says what to check when the stack has no webhook secret here, or the secret is not the credentials', async () => {
    await expect(findStackWebhook('cometchat-relay-dev', secretsManager(SECRETS))).rejects.toThrow(
      /No webhook secret of a stack named "cometchat-relay-dev" in this region: check --stack .* and --region/,
    );
    const broken = [{ ...(SECRETS[3] as FakeSecret), value: 'not json' }];
    await expect(findStackWebhook('cometchat-relay-staging', secretsManager(broken))).rejects.toThrow(
      /holds no "username" and "password"/,
    );
  });

  it('takes the stack and region, and lets --url, --user and --password override what the stack says', () => {
    const options = parseSendArgs(
      ['push-chat', '--stack', 'cometchat-relay-staging', '--region', 'eu-west-1', '--user', 'mine'],
      {},
    );
    if (options === 'help') throw new Error('no help expected');

    expect(options.stack).toMatchObject({ name: 'cometchat-relay-staging', region: 'eu-west-1' });
    expect(withStackWebhook(options, WEBHOOK)).toMatchObject({ url: WEBHOOK.url, user: 'mine', password: WEBHOOK.password });
    expect(() => parseSendArgs(['push-chat', '--region', 'eu-west-1'], {})).toThrow(/--region goes with --stack/);
  });

  it('posts with what the stack gives, and exits 2 when the stack cannot be found', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
    const asked: Array<[string, string | undefined]> = [];
    // The stack's URL points at a closed port: the send fails (1) after the lookup, which is what is checked here.
    const code = await runSend(['push-chat', '--stack', 'cometchat-relay-staging'], io, {}, async (stack, region) => {
      asked.push([stack, region]);
      return { ...WEBHOOK, url: 'http://127.0.0.1:9' };
    });

    expect(asked).toEqual([['cometchat-relay-staging', undefined]]);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9\/cometchat\/push: /);
    expect(
      await runSend(['push-chat', '--stack', 'nope'], io, {}, (stack) => findStackWebhook(stack, secretsManager(SECRETS))),
    ).toBe(2);
    expect(err.at(-1)).toMatch(/^Could not read the webhook of stack nope: No webhook secret/);
  });
});
