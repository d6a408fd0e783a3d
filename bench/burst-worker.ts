import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import { startEmulatorsThread } from '../lib/local/emulators-thread.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { startLocalStack } from '../lib/local/local-stack.ts';
import { type SnsEmulator, startSnsEmulator } from '../lib/local/sns-emulator.ts';
import type { BurstLoadReply, BurstLoadRequest } from './burst-load-worker.ts';
import { registerDevices } from './directory.ts';
import { type Summary, summarise } from './stats.ts';
import { runWorker } from './worker.ts';

const CREDENTIALS = { username: 'cometchat', password: 'bench-password-0123' };
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface BurstRun {
  readonly requests: number;
  readonly answered200: number;
  /** Status code → count, for anything not 200 too. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly connectionErrors: number;
  /** Answer time of every request, ms. */
  readonly answerMs: Summary;
  /** Answers that took 500 ms or more: the ingest SQS client's per-attempt timeout is 500 ms. */
  readonly slowAnswers: number;
  /** From the first request to the last answer. */
  readonly burstMs: number;
  /** From the first request to the last push the SNS emulator published (its timestamps). */
  readonly allDeliveredMs: number;
  /** From the first request until the push queue held nothing, visible or in flight, after the last answer (polled every 20 ms). */
  readonly queueDrainedMs: number;
  /** Pushes published, counted at the SNS emulator once the stack was idle. */
  readonly delivered: number;
  /** Recipients of a 200 that got no push, or more than one. */
  readonly missing: number;
  readonly duplicates: number;
  /** Pushes to recipients whose request was not answered 200 (there should be none). */
  readonly unexpected: number;
  /** How late the stack's one event loop ran timers during the run (ms): what a stall of the whole process looks like. */
  readonly eventLoopDelay: { readonly p99: number; readonly max: number };
}

export interface BurstResult {
  readonly requests: number;
  readonly connections: number;
  readonly warmup: Pick<
    BurstRun,
    'requests' | 'answered200' | 'statuses' | 'answerMs' | 'delivered' | 'unexpected' | 'queueDrainedMs' | 'eventLoopDelay'
  >;
  readonly runs: readonly BurstRun[];
  /** Every answer of every run pooled. */
  readonly answerMs: Summary;
  readonly allDeliveredMs: Summary;
  readonly queueDrainedMs: Summary;
  readonly registrationMs: number;
}

export interface BurstRequest {
  readonly requests: number;
  readonly connections: number;
  readonly runs: number;
  /** Requests of an unmeasured burst first, so that the relay's code is compiled (a deployed relay is warm after its first seconds). */
  readonly warmupRequests: number;
}

/**
 * A group burst through the whole local stack: `requests` push webhooks, one
 * per member, each member with a device registered through the directory API,
 * sent by autocannon over `connections` keep-alive connections; counted at the
 * SNS emulator. Repeated `runs` times on the same stack for a spread.
 */
const measureBurst = async ({ requests, connections, runs, warmupRequests }: BurstRequest): Promise<BurstResult> => {
  // The emulators on a thread of their own, as `npm start` runs them: AWS is not on the relay's event loop.
  const emulators = await startEmulatorsThread();
  // An SNS emulator of our own, in this process: what it published (1,000 entries per run) is read without an HTTP round trip.
  const sns = await startSnsEmulator();
  const stack = await startLocalStack({
    port: 0,
    emulators: { ...emulators.endpoints, sns: sns.endpoint },
    resourcePrefix: `bench-burst-${randomUUID().slice(0, 8)}`,
    webhookCredentials: [CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
  });
  const sqs = new SQSClient({ ...localClientConfig(emulators.endpoints.sqs), useQueueUrlAsEndpoint: false });
  try {
    // autocannon prepares each connection's next request before it knows the run is over: one spare recipient per connection.
    const uids = Array.from({ length: requests + connections }, (_, index) => `bench-member-${String(index).padStart(5, '0')}`);
    const registrationStart = Date.now();
    const owners = await registerDevices(stack.directoryUrl, ADMIN_TOKEN, uids);
    const registrationMs = Date.now() - registrationStart;

    const burst = async (count: number, tag: string) => {
      sns.clearPublished();
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const load = runWorker<BurstLoadRequest, BurstLoadReply>(new URL('./burst-load-worker.ts', import.meta.url), {
        url: stack.webhookUrls.push,
        authorization: encodeBasicAuth(CREDENTIALS),
        uids,
        requests: count,
        connections,
        runTag: `${tag}-${randomUUID().slice(0, 8)}`,
      });
      const emptyAt = await watchQueue(sqs, stack.queues.push.url, load);
      const reply = await load;
      loopDelay.disable();
      await stack.idle();
      const lastAnswerAt = Math.max(...reply.answers.map((answer) => answer.at));
      const drainedAt = emptyAt.find((at) => at >= lastAnswerAt) ?? Number.NaN;
      return {
        ...assess(reply, drainedAt, sns, owners, count),
        eventLoopDelay: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      };
    };

    const warmup = await burst(warmupRequests, 'warmup');
    const results: BurstRun[] = [];
    const answerTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const { answers, ...result } = await burst(requests, `run${run}`);
      results.push(result);
      answerTimes.push(...answers);
    }

    return {
      requests,
      connections,
      warmup: {
        requests: warmup.requests,
        answered200: warmup.answered200,
        statuses: warmup.statuses,
        answerMs: warmup.answerMs,
        delivered: warmup.delivered,
        unexpected: warmup.unexpected,
        queueDrainedMs: warmup.queueDrainedMs,
        eventLoopDelay: warmup.eventLoopDelay,
      },
      runs: results,
      answerMs: summarise(answerTimes),
      allDeliveredMs: summarise(results.map((run) => run.allDeliveredMs)),
      queueDrainedMs: summarise(results.map((run) => run.queueDrainedMs)),
      registrationMs,
    };
  } finally {
    sqs.destroy();
    await stack.stop();
    await sns.stop();
    await emulators.stop();
  }
};

/**
 * Polls the queue (a cheap GetQueueAttributes, every 20 ms) from the start of
 * the burst until the load generator has answered and the queue holds nothing,
 * visible or in flight; answers when each poll found it empty, so that the
 * drain time can be taken after the last answer. Gives up after a minute (the
 * SPEC wants 10 s). A message is deleted only once delivered, so the pushes
 * are all published by then; when exactly is read from their timestamps
 * afterwards, without polling the SNS emulator during the burst.
 */
const watchQueue = async (sqs: SQSClient, queueUrl: string, load: Promise<unknown>): Promise<number[]> => {
  let answered = false;
  void load.then(
    () => {
      answered = true;
    },
    () => {
      answered = true;
    },
  );
  const emptyAt: number[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const empty = Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
    if (empty) emptyAt.push(Date.now());
    if (empty && answered) return emptyAt;
    if (Date.now() > deadline) throw new Error('The push queue did not drain within a minute');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const assess = (
  reply: BurstLoadReply,
  drainedAt: number,
  sns: SnsEmulator,
  owners: ReadonlyMap<string, string>,
  requests: number,
): Omit<BurstRun, 'eventLoopDelay'> & { readonly answers: number[] } => {
  const statuses: Record<string, number> = {};
  for (const { status } of reply.answers) statuses[status] = (statuses[status] ?? 0) + 1;
  const accepted = new Set(reply.answers.filter((answer) => answer.status === 200).map((answer) => answer.uid));

  const pushesPerUid = new Map<string, number>();
  const published = sns.published();
  for (const message of published) {
    const uid = owners.get(message.targetArn ?? '') ?? `unknown:${message.targetArn}`;
    pushesPerUid.set(uid, (pushesPerUid.get(uid) ?? 0) + 1);
  }
  return {
    requests,
    answered200: statuses['200'] ?? 0,
    statuses,
    connectionErrors: reply.errors,
    answerMs: summarise(reply.answers.map((answer) => answer.ms)),
    slowAnswers: reply.answers.filter((answer) => answer.ms >= 500).length,
    burstMs: Math.max(...reply.answers.map((answer) => answer.at)) - reply.startedAt,
    allDeliveredMs: Math.max(...published.map((message) => Date.parse(message.at))) - reply.startedAt,
    queueDrainedMs: drainedAt - reply.startedAt,
    delivered: published.length,
    missing: [...accepted].filter((uid) => !pushesPerUid.has(uid)).length,
    duplicates: [...pushesPerUid.values()].filter((count) => count > 1).length,
    unexpected: [...pushesPerUid.keys()].filter((uid) => !accepted.has(uid)).length,
    answers: reply.answers.map((answer) => answer.ms),
  };
};

// Runs in its own process (see runBurst): the relay's INFO logs and EMF metrics go to a stdout that goes nowhere.
process.once('message', (request: BurstRequest) => {
  measureBurst(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
