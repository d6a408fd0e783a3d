import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import { CHANNEL_ROUTES, CHANNEL_TRIGGERS, type Channel } from '../functions/shared/channels.ts';
import { LOCAL_DEFAULTS } from '../lib/local/local-defaults.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { consoleIo, parseOnePositional, type ScriptIo, UsageError } from './script-io.ts';
import { findStackWebhook, type StackWebhook } from './stack-webhook.ts';

export { UsageError };

/**
 * `npm run send -- <sample>`: posts one of CometChat's sample webhooks
 * (test/fixtures/seeds) to a relay, as CometChat would, and prints the answer.
 * A quick check of a deployment (or of `npm start`) before pointing CometChat
 * at it.
 */

export const SEEDS_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'test', 'fixtures', 'seeds');

/** The sample names (files in test/fixtures/seeds), sorted. */
export const sampleNames = (dir: string = SEEDS_DIR): string[] =>
  readdirSync(dir)
    .filter((file) => extname(file) === '.json')
    .map((file) => basename(file, '.json'))
    .sort();

export const sendUsage = (dir: string = SEEDS_DIR): string => `Usage: npm run send -- <sample> [options]

Posts a CometChat sample webhook to the relay's route for it (<url>/cometchat/<channel>)
with Basic Auth, and prints the status and the answer. Exits 1 unless the answer is 2xx.

<sample>: ${sampleNames(dir).join(', ')}
          (or the path of a JSON file holding a CometChat webhook body)

  --stack <name>       a deployed relay, by stack name (e.g. cometchat-relay-staging): its webhook
                       URL and credentials are read from its webhook secret (Secrets Manager)
  --region <region>    the stack's region (default: AWS_REGION or the profile's)
  --url <url>          the relay's webhook base URL: the deployed API's URL, or the local relay
                       (default: the stack's with --stack, else http://127.0.0.1:${LOCAL_DEFAULTS.port}, or PORT)
  --user <name>        webhook username (default WEBHOOK_USERNAME, else the local default)
  --password <secret>  webhook password (default WEBHOOK_PASSWORD, else the local default)
  --uid <uid>          send it to this recipient instead of the sample's (data.to.uid)
  --help               this text

Examples:
  npm run send -- push-chat
  npm run send -- sms-one-on-one --stack cometchat-relay-staging --region eu-west-1
  npm run send -- email-one-on-one --uid andrew --url https://abc123.execute-api.eu-west-1.amazonaws.com --user cometchat --password "$PASSWORD"
`;

export interface SendOptions {
  /** The webhook body. */
  readonly payload: Record<string, unknown>;
  readonly channel: Channel;
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Where the body came from, for the output. */
  readonly source: string;
  /** A deployed stack whose URL and credentials fill in what was not given on the command line. */
  readonly stack?: { readonly name: string; readonly region?: string | undefined; readonly given: GivenFlags };
}

/** Which of the stack's values the command line overrides. */
interface GivenFlags {
  readonly url: boolean;
  readonly user: boolean;
  readonly password: boolean;
}

/** Fills in the URL and credentials of `options.stack` that the command line did not give. */
export const withStackWebhook = (options: SendOptions, webhook: StackWebhook): SendOptions => {
  const given = options.stack?.given ?? { url: true, user: true, password: true };
  return {
    ...options,
    url: given.url ? options.url : webhook.url.replace(/\/+$/, ''),
    user: given.user ? options.user : webhook.username,
    password: given.password ? options.password : webhook.password,
  };
};

const CHANNEL_OF_TRIGGER: ReadonlyMap<string, Channel> = new Map(
  Object.entries(CHANNEL_TRIGGERS).map(([channel, trigger]) => [trigger, channel as Channel]),
);

/** The route a webhook body goes to: the custom-provider channel of its trigger, else the events route. */
export const channelOf = (payload: Record<string, unknown>): Channel => {
  const trigger = payload.trigger;
  if (typeof trigger !== 'string') throw new UsageError('The sample has no "trigger": it is not a CometChat webhook body.');
  if (trigger === 'before_message')
    throw new UsageError('before_message samples go to /cometchat/before-message, which this command does not post to.');
  return CHANNEL_OF_TRIGGER.get(trigger) ?? 'events';
};

export const parseSendArgs = (
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  dir: string = SEEDS_DIR,
): SendOptions | 'help' => {
  const parsed = parseOnePositional(() => parseSendFlags(argv), { noun: 'sample', verb: 'send' });
  if (parsed === 'help') return 'help';
  const { values, positional: sample } = parsed;
  const file = sampleNames(dir).includes(sample) ? join(dir, `${sample}.json`) : resolve(sample);
  if (!existsSync(file) || extname(file) !== '.json') {
    throw new UsageError(`Unknown sample "${sample}": use one of ${sampleNames(dir).join(', ')}, or the path of a JSON file.`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new UsageError(`${file} does not hold a JSON object.`);
  const body = payload as Record<string, unknown>;
  if (values.uid !== undefined) setRecipient(body, values.uid);
  if (values.region !== undefined && values.stack === undefined) throw new UsageError('--region goes with --stack.');
  let url: string;
  try {
    url = new URL(values.url ?? `http://127.0.0.1:${env.PORT || LOCAL_DEFAULTS.port}`).toString().replace(/\/+$/, '');
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:3000, got "${values.url}".`);
  }
  return {
    payload: body,
    channel: channelOf(body),
    url,
    user: values.user ?? env.WEBHOOK_USERNAME ?? LOCAL_DEFAULTS.webhookUsername,
    password: values.password ?? env.WEBHOOK_PASSWORD ?? LOCAL_DEFAULTS.webhookPassword,
    source: file,
    ...(values.stack === undefined
      ? {}
      : {
          stack: {
            name: values.stack,
            region: values.region,
            given: { url: values.url !== undefined, user: values.user !== undefined, password: values.password !== undefined },
          },
        }),
  };
};

const parseSendFlags = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      uid: { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

const setRecipient = (body: Record<string, unknown>, uid: string): void => {
  const data = body.data;
  const to = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).to : undefined;
  if (typeof to !== 'object' || to === null) throw new UsageError('--uid needs a sample with data.to (push, SMS or email).');
  (to as Record<string, unknown>).uid = uid;
};

export interface SendResult {
  readonly status: number;
  readonly body: string;
  readonly target: string;
}

/** Posts the body to `<url>/cometchat/<channel>` with Basic Auth, as CometChat does. */
export const sendSample = async ({ payload, channel, url, user, password }: SendOptions): Promise<SendResult> => {
  const target = `${url}${CHANNEL_ROUTES[channel]}`;
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: encodeBasicAuth({ username: user, password }) },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text(), target };
};

/** The whole command: answers the exit code (0 for 2xx, 1 otherwise, 2 for bad arguments) and never throws. */
export type { ScriptIo };

export const runSend = async (
  argv: readonly string[],
  io: ScriptIo = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
  findWebhook: (stack: string, region: string | undefined) => Promise<StackWebhook> = (stack, region) =>
    findStackWebhook(stack, new SecretsManagerClient({ maxAttempts: 3, ...(region ? { region } : {}) })),
): Promise<number> => {
  let options: SendOptions | 'help';
  try {
    options = parseSendArgs(argv, env);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    io.err(sendUsage());
    return 2;
  }
  if (options === 'help') {
    io.out(sendUsage());
    return 0;
  }
  const { stack } = options;
  if (stack) {
    try {
      options = withStackWebhook(options, await findWebhook(stack.name, stack.region));
    } catch (error) {
      // No secret found is the user's to fix (2); an AWS error (no credentials, access denied) is a failure (1).
      io.err(`Could not read the webhook of stack ${stack.name}: ${error instanceof Error ? error.message : String(error)}`);
      return error instanceof UsageError ? 2 : 1;
    }
  }
  let result: SendResult;
  try {
    result = await sendSample(options);
  } catch (error) {
    const reason =
      error instanceof Error && error.cause instanceof Error
        ? error.cause.message
        : error instanceof Error
          ? error.message
          : String(error);
    io.err(`Could not reach ${options.url}${CHANNEL_ROUTES[options.channel]}: ${reason}`);
    return 1;
  }
  io.out(`POST ${result.target}  (${basename(options.source)})`);
  io.out(`${result.status}`);
  io.out(prettyJson(result.body));
  return result.status >= 200 && result.status < 300 ? 0 : 1;
};

const prettyJson = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSend(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
