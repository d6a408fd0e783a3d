import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { FEEDBACK_SOURCES, feedbackDeadLetterQueueName, feedbackQueueName } from '../functions/feedback/feedback-sources.ts';
import { CHANNELS, isChannel } from '../functions/shared/channels.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { LOCAL_DEFAULTS } from '../lib/local/local-defaults.ts';
import { deadLetterQueueName, queueName } from '../lib/queue-settings.ts';
import { consoleIo, parseOnePositional, type ScriptIo, UsageError } from './script-io.ts';

export { UsageError };

/**
 * `npm run redrive -- <queue>`: moves the messages of a queue's DLQ back to the
 * queue, once whatever sent them there is fixed (SPEC §8). Against AWS it
 * starts an SQS message move task (what the console's "Start DLQ redrive"
 * does) and waits for it; against the local stack, whose SQS emulator has no
 * move tasks, it moves the messages itself: receive, send to the queue with
 * their attributes, delete from the DLQ.
 */

export const DEFAULT_STACK = 'cometchat-relay';
export const REDRIVE_TARGETS = [...CHANNELS, ...FEEDBACK_SOURCES.map((source) => `${source}-feedback` as const)] as const;
export type RedriveTarget = (typeof REDRIVE_TARGETS)[number];

export const REDRIVE_USAGE = `Usage: npm run redrive -- <queue> [options]

Moves every message of <queue>'s dead-letter queue back to <queue>.

<queue>: ${REDRIVE_TARGETS.join(', ')}

Against AWS (credentials from the usual AWS chain: AWS_PROFILE, environment, SSO):
  --stack <name>      the deployed stack; queues are <name>-<queue> and <name>-<queue>-dlq (default ${DEFAULT_STACK})
  --region <region>   the stack's region (default: AWS_REGION or the profile's)
  --no-wait           start the move task and return without waiting for it
  --timeout <s>       how long to wait for the move task (default 600)

Against the local stack (npm start):
  --local             ask the running local relay where its queues are
  --url <url>         the local relay (default http://127.0.0.1:${LOCAL_DEFAULTS.port}, or PORT)
  --endpoint <url>    or: an SQS endpoint (the emulator URL npm start prints), with
  --prefix <prefix>   the local resource prefix (default ${LOCAL_DEFAULTS.resourcePrefix})

  --max <n>           move at most n messages (default: all that are in the DLQ when it starts)
  --help              this text

Examples:
  npm run redrive -- sms --stack cometchat-relay --region eu-west-1
  npm run redrive -- email --local
`;

/** The queues could not be found or the move failed: a message a person can act on. */
export class RedriveError extends Error {
  override readonly name = 'RedriveError';
}

export type RedriveLocation =
  | { readonly kind: 'aws'; readonly stack: string; readonly region?: string }
  | { readonly kind: 'local'; readonly url: string }
  | { readonly kind: 'endpoint'; readonly endpoint: string; readonly prefix: string };

export interface RedriveOptions {
  readonly target: RedriveTarget;
  readonly location: RedriveLocation;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly max?: number;
}

export const parseRedriveArgs = (argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RedriveOptions | 'help' => {
  const parsed = parseOnePositional(() => parseRedriveFlags(argv), { noun: 'queue', verb: 'redrive' });
  if (parsed === 'help') return 'help';
  const { values, positional: target } = parsed;
  if (!(REDRIVE_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`Unknown queue "${target}": use one of ${REDRIVE_TARGETS.join(', ')}.`);
  }
  const local = values.local || values.url !== undefined;
  if (local && values.endpoint !== undefined) throw new UsageError('Give --local (or --url) or --endpoint, not both.');
  if ((local || values.endpoint !== undefined) && (values.stack !== undefined || values.region !== undefined)) {
    throw new UsageError('--stack and --region are for AWS; the local stack is found with --local, --url or --endpoint.');
  }
  const location: RedriveLocation = local
    ? { kind: 'local', url: checkedUrl(values.url ?? `http://127.0.0.1:${env.PORT || LOCAL_DEFAULTS.port}`, '--url') }
    : values.endpoint !== undefined
      ? {
          kind: 'endpoint',
          endpoint: checkedUrl(values.endpoint, '--endpoint'),
          prefix: values.prefix ?? LOCAL_DEFAULTS.resourcePrefix,
        }
      : { kind: 'aws', stack: values.stack ?? DEFAULT_STACK, ...(values.region ? { region: values.region } : {}) };
  if (values.prefix !== undefined && location.kind !== 'endpoint') throw new UsageError('--prefix goes with --endpoint.');
  const timeoutSeconds = positiveInteger(values.timeout ?? '600', '--timeout');
  return {
    target: target as RedriveTarget,
    location,
    wait: !values['no-wait'],
    timeoutSeconds,
    ...(values.max === undefined ? {} : { max: positiveInteger(values.max, '--max') }),
  };
};

const parseRedriveFlags = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: 'string' },
      region: { type: 'string' },
      local: { type: 'boolean' },
      url: { type: 'string' },
      endpoint: { type: 'string' },
      prefix: { type: 'string' },
      'no-wait': { type: 'boolean' },
      timeout: { type: 'string' },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

const checkedUrl = (value: string, flag: string): string => {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new UsageError(`${flag} must be a URL such as http://127.0.0.1:3000, got "${value}".`);
  }
};

const positiveInteger = (value: string, flag: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${value}".`);
  return number;
};

export interface QueuePair {
  readonly queueUrl: string;
  readonly deadLetterUrl: string;
}

export interface MoveResult {
  /** How the messages were moved: SQS's own move task, or one by one where that is not available. */
  readonly method: 'message-move-task' | 'receive-send-delete';
  /** Messages moved (approximate for a move task, which counts them itself). */
  readonly moved: number;
  /** Messages that could not be sent back (one by one only): they stay in the DLQ. */
  readonly failed: number;
  /** The move task's state when the script stopped watching it. */
  readonly status?: string;
  readonly taskHandle?: string;
}

export interface MoveOptions extends QueuePair {
  readonly sqs: SQSClient;
  readonly wait?: boolean;
  readonly timeoutSeconds?: number;
  readonly max?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** How often a move task is polled, in ms. Default 2000. */
  readonly pollIntervalMs?: number;
}

/**
 * Moves the DLQ's messages back to the queue: with StartMessageMoveTask where
 * SQS has it, else one by one. Messages sent back keep their body and message
 * attributes (the idempotency key among them, so nothing is delivered twice).
 */
export const moveDeadLetters = async (options: MoveOptions): Promise<MoveResult> => {
  const { sqs, queueUrl, deadLetterUrl, log = () => {} } = options;
  const [queueArn, deadLetter] = await Promise.all([
    attributesOf(sqs, queueUrl, ['QueueArn']),
    attributesOf(sqs, deadLetterUrl, ['QueueArn', 'ApproximateNumberOfMessages']),
  ]);
  const waiting = Number(deadLetter.ApproximateNumberOfMessages ?? '0');
  if (waiting === 0) return { method: 'receive-send-delete', moved: 0, failed: 0 };
  log(`${waiting} message(s) in the dead-letter queue.`);
  try {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: required(deadLetter.QueueArn, 'dead-letter queue ARN'),
        DestinationArn: required(queueArn.QueueArn, 'queue ARN'),
      }),
    );
    log('Started an SQS message move task.');
    return await watchMoveTask(sqs, required(deadLetter.QueueArn, 'dead-letter queue ARN'), TaskHandle, options);
  } catch (error) {
    if (!isUnsupportedOperation(error)) throw error;
    log('This SQS endpoint has no message move tasks (the local emulator): moving the messages one by one.');
    return moveOneByOne(options, options.max ?? waiting);
  }
};

const watchMoveTask = async (
  sqs: SQSClient,
  sourceArn: string,
  taskHandle: string | undefined,
  options: MoveOptions,
): Promise<MoveResult> => {
  const handle = taskHandle ? { taskHandle } : {};
  if (options.wait === false) return { method: 'message-move-task', moved: 0, failed: 0, status: 'RUNNING', ...handle };
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1000;
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    // A task just started may not be listed yet: it counts as running.
    const status = task?.Status ?? 'RUNNING';
    if (status !== 'RUNNING' || Date.now() >= deadline) {
      if (status === 'FAILED')
        throw new RedriveError(`The move task failed after ${moved} message(s): ${task?.FailureReason ?? 'no reason given'}.`);
      return { method: 'message-move-task', moved, failed: 0, status, ...handle };
    }
    options.log?.(`Moving: ${moved} of ${task?.ApproximateNumberOfMessagesToMove ?? '?'} so far...`);
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 2000));
  }
};

/**
 * At most `limit` messages (those in the DLQ at the start), so that messages
 * failing again and returning to the DLQ while this runs are not moved in a loop.
 */
const moveOneByOne = async (
  { sqs, queueUrl, deadLetterUrl, log = () => {} }: MoveOptions,
  limit: number,
): Promise<MoveResult> => {
  let moved = 0;
  let failed = 0;
  while (moved + failed < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved - failed),
        WaitTimeSeconds: 0,
        // Long enough to send them on; a message whose send fails shows up in the DLQ again after it.
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const { Successful = [], Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes ? { MessageAttributes: sendableAttributes(message.MessageAttributes) } : {}),
        })),
      }),
    );
    if (Successful.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: deadLetterUrl,
          Entries: Successful.map(({ Id }) => ({ Id, ReceiptHandle: Messages[Number(Id)]?.ReceiptHandle })),
        }),
      );
    }
    moved += Successful.length;
    failed += Failed.length;
    for (const failure of Failed)
      log(`Could not send message ${failure.Id} back (${failure.Code}): it stays in the dead-letter queue.`);
  }
  return { method: 'receive-send-delete', moved, failed };
};

/** What ReceiveMessage hands back, as SendMessage takes it (list values are not implemented by SQS and are refused). */
const sendableAttributes = (attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      { DataType, ...(StringValue === undefined ? {} : { StringValue }), ...(BinaryValue === undefined ? {} : { BinaryValue }) },
    ]),
  );

const attributesOf = async (sqs: SQSClient, queueUrl: string, names: Array<'QueueArn' | 'ApproximateNumberOfMessages'>) => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }));
  return Attributes;
};

/** What an SQS endpoint answers for an action it does not implement. */
const isUnsupportedOperation = (error: unknown): boolean => {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  return (
    /^(InvalidAction|UnsupportedOperation|UnknownOperation|NotImplemented)(Exception)?$/.test(name) ||
    /not (supported|implemented)|unknown operation|invalid action/i.test(message)
  );
};

const required = (value: string | undefined, what: string): string => {
  if (!value) throw new RedriveError(`SQS answered without the ${what}.`);
  return value;
};

/** The queue and DLQ URLs of the target, wherever it runs. */
export const resolveQueues = async (sqs: SQSClient, options: RedriveOptions): Promise<QueuePair> => {
  const { target, location } = options;
  if (location.kind === 'local') return localQueues(location.url, target);
  const prefix = location.kind === 'aws' ? location.stack : location.prefix;
  const [queue, deadLetter] = queueNamesOf(prefix, target);
  const urlOf = async (name: string): Promise<string> => {
    try {
      return required((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, `URL of ${name}`);
    } catch (error) {
      if (error instanceof Error && /QueueDoesNotExist|NonExistentQueue/.test(error.name)) {
        throw new RedriveError(
          location.kind === 'aws'
            ? `No queue named ${name} here: check --stack (the stack name) and --region.`
            : `No queue named ${name} on ${location.endpoint}: check --prefix, or use --local.`,
        );
      }
      throw error;
    }
  };
  const [queueUrl, deadLetterUrl] = await Promise.all([urlOf(queue), urlOf(deadLetter)]);
  return { queueUrl, deadLetterUrl };
};

const queueNamesOf = (prefix: string, target: RedriveTarget): [string, string] => {
  if (isChannel(target)) return [queueName(prefix, target), deadLetterQueueName(prefix, target)];
  const source = target === 'ses-feedback' ? 'ses' : 'push';
  return [feedbackQueueName(prefix, source), feedbackDeadLetterQueueName(prefix, source)];
};

interface LocalInfo {
  endpoints: { sqs: string };
  queues: Record<string, { url: string; deadLetterUrl: string }>;
  feedbackQueues: Record<string, { url: string; deadLetterUrl: string }>;
}

/** Asks the running local relay (GET /_local/info) where its queues are. */
export const readLocalInfo = async (url: string): Promise<LocalInfo> => {
  let response: Response;
  try {
    response = await fetch(`${url}/_local/info`);
  } catch {
    throw new RedriveError(`No local relay answers at ${url}: start it with "npm start", or give --url.`);
  }
  if (!response.ok)
    throw new RedriveError(`${url}/_local/info answered ${response.status}: is this the local relay (npm start)?`);
  return (await response.json()) as LocalInfo;
};

const localQueues = async (url: string, target: RedriveTarget): Promise<QueuePair> => {
  const info = await readLocalInfo(url);
  const pair = isChannel(target) ? info.queues[target] : info.feedbackQueues[target === 'ses-feedback' ? 'ses' : 'push'];
  if (!pair) throw new RedriveError(`The local relay at ${url} has no ${target} queue.`);
  return { queueUrl: pair.url, deadLetterUrl: pair.deadLetterUrl };
};

/** The SQS client for where the queues are. */
export const sqsClientFor = async (location: RedriveLocation): Promise<SQSClient> => {
  switch (location.kind) {
    case 'aws':
      return new SQSClient({ maxAttempts: 5, ...(location.region ? { region: location.region } : {}) });
    case 'endpoint':
      return new SQSClient({ ...localClientConfig(location.endpoint), useQueueUrlAsEndpoint: false });
    case 'local':
      return new SQSClient({
        ...localClientConfig((await readLocalInfo(location.url)).endpoints.sqs),
        useQueueUrlAsEndpoint: false,
      });
  }
};

/** The whole command: answers the exit code (0 done, 1 failed, 2 bad arguments) and never throws. */
export type { ScriptIo };

export const runRedrive = async (
  argv: readonly string[],
  io: ScriptIo = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  let options: RedriveOptions | 'help';
  try {
    options = parseRedriveArgs(argv, env);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    io.err(REDRIVE_USAGE);
    return 2;
  }
  if (options === 'help') {
    io.out(REDRIVE_USAGE);
    return 0;
  }
  let sqs: SQSClient | undefined;
  try {
    sqs = await sqsClientFor(options.location);
    const { queueUrl, deadLetterUrl } = await resolveQueues(sqs, options);
    io.out(`Redriving ${deadLetterUrl}\n       to ${queueUrl}`);
    const result = await moveDeadLetters({
      sqs,
      queueUrl,
      deadLetterUrl,
      wait: options.wait,
      timeoutSeconds: options.timeoutSeconds,
      ...(options.max === undefined ? {} : { max: options.max }),
      log: io.out,
    });
    io.out(summary(result));
    return result.failed > 0 ? 1 : 0;
  } catch (error) {
    io.err(`Redrive failed: ${describe(error)}`);
    return 1;
  } finally {
    sqs?.destroy();
  }
};

const summary = (result: MoveResult): string => {
  if (result.method === 'message-move-task') {
    if (result.status === 'RUNNING')
      return `The move task is running${result.taskHandle ? ` (${result.taskHandle})` : ''}; ${result.moved} moved so far.`;
    return `Move task ${result.status?.toLowerCase()}: ${result.moved} message(s) moved back.`;
  }
  if (result.moved === 0 && result.failed === 0) return 'The dead-letter queue is empty: nothing to move.';
  return `Moved ${result.moved} message(s) back${result.failed > 0 ? `; ${result.failed} could not be moved and stay in the dead-letter queue` : ''}.`;
};

/** An error as a person needs it: the SDK's name and message, never a stack trace. */
const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof RedriveError) return error.message;
  if (error.name === 'CredentialsProviderError') return 'no AWS credentials found (set AWS_PROFILE or run "aws sso login").';
  return `${error.name}: ${error.message}`;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runRedrive(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
